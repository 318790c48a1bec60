"""AWS CDK Python apps: `CdkDocument` parses a `.py` file with libcst and maps its nodes to
character offsets, so CDK rules (transforms/cdk/) produce the same minimal text edits as the
CloudFormation rules.  `autofix.cdk.data` says which constants aws-cdk-lib defines."""
