"""Street facts (街区事实): the figures of POLICY.md's criteria, computed from a tenant's street data."""
