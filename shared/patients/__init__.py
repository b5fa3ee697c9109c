"""Who is asking (`callers`), the register of attachment, policy hashes and the failure limiter."""
