"""Readers and validators of real inputs: public DfE/Ofsted/ONS statistics (``dfe``),
individual-level extracts (``npd``) and the contrast study's family-level extract."""
