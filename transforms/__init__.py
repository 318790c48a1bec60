"""autofix's built-in rules, one per module: `cfn/` for CloudFormation, `cdk/` for CDK Python."""
