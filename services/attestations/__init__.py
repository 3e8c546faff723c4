"""Attestations (核实): the city's verification of the claims a street's operator makes about itself."""
