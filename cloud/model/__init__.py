"""The incident model: resource refs, the kind registry, the snapshot and its one reader."""
