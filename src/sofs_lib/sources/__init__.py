"""Readers and validators of real inputs."""
