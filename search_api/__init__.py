"""Search, API and consistency checks over the task registry."""
