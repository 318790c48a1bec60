"""CDK Python rules."""
