"""`autofix pr`: run the fixes on the default branch and keep one pull request per topic.

- git.py: the `git` command (the user's remote, identity and credential helpers)
- github.py: GitHub's REST API over plain HTTPS
- body.py: branch names, commit message, pull request title and body
- cli.py: the click command and the run itself
"""
