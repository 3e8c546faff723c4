"""The support ledger (帮扶台账): each entity's needs, the actions taken, and follow-up visits (跟踪走访)."""
