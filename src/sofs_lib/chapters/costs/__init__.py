"""Chapter 06_costs: what SofS cost, real council spending, cost consequences and break-even."""
