"""The domain: plain Python, no Slack, no database session; the clock is passed in."""
