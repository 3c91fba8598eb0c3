"""Readers and validators of the real inputs (public DfE/Ofsted/ONS statistics)."""
