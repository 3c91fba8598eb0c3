"""Chapter 02_workforce: the staff survey (report Tables 2 and 4) re-tested, the national
children's social work workforce panel (appendix 9, Tables A9.3/A9.4) on real data, and what the
evidence could have detected (difference-in-differences, randomisation inference, minimum
detectable effects)."""
