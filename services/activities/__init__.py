"""Activities held for a street's entities: guidance, salons, trainings (创业赋能活动)."""
