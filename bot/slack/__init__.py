"""The Slack layer: ids, Block Kit builders and listeners."""
