"""cr-bot: Slack bot for C+R (Coaching + Reflexion) exchanges between partner cities."""
