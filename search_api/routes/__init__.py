"""One router per resource, each with an explicit response_model."""
