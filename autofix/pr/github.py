"""GitHub's REST API, the few calls `autofix pr` needs.

Plain HTTPS through `urllib.request` rather than a client library (PyGithub, ghapi): six
endpoints with JSON bodies do not justify a new dependency, and owning the request code lets
us guarantee where the token goes: only into the `Authorization` header of requests to the
API root, never across a redirect to another host, never into a message.  GitHub Enterprise
works the same way through GITHUB_API_URL.
"""

from __future__ import annotations

import datetime as _dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from autofix import __version__
from autofix.pr.git import scrub

DEFAULT_API = "https://api.github.com"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT = 30
MAX_PAGES = 10


class GitHubError(Exception):
    """A failed API call, as one line that says what to do; never contains the token."""


def check_api_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url.rstrip("/")
    raise GitHubError(f"GITHUB_API_URL must be an https:// URL (got {scrub(url)!r}); the token is never sent in clear text")


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme and host: urllib would otherwise carry the
    Authorization header to wherever the redirect points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            return None  # urllib then raises HTTPError with the 3xx status
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class Response:
    status: int
    data: Any
    headers: dict


class GitHub:
    def __init__(self, repo: str, token: str, api_url: str = DEFAULT_API, token_env: str = "GITHUB_TOKEN"):
        self.repo = repo
        self.owner = repo.split("/")[0]
        self.token = token
        self.api = check_api_url(api_url)
        self.token_env = token_env
        self._opener = urllib.request.build_opener(_SameHostRedirects())

    # ---- transport -----------------------------------------------------------------------------
    def request(self, method: str, path: str, what: str, query: dict | None = None, body: Any = None) -> Response:
        url = self.api + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"autofix/{__version__}")
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=TIMEOUT) as resp:
                raw = resp.read()
                status, headers = resp.status, {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as e:
            try:
                raw = e.read()
            except OSError:
                raw = b""
            headers = {k.lower(): v for k, v in (e.headers or {}).items()}
            raise GitHubError(self._explain(e.code, headers, raw, what)) from None
        except urllib.error.URLError as e:
            raise GitHubError(self._clean(f"cannot reach the GitHub API at {self.api} while {what}: {e.reason}; "
                                          f"check the network and GITHUB_API_URL")) from None
        except (TimeoutError, OSError) as e:
            raise GitHubError(self._clean(f"the GitHub API at {self.api} did not answer while {what} ({e}); try again later")) from None
        try:
            payload = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise GitHubError(f"the GitHub API at {self.api} sent a response that is not JSON while {what}; "
                              f"check GITHUB_API_URL (it should be the API root, e.g. https://HOST/api/v3)") from None
        return Response(status, payload, headers)

    def _clean(self, text: str, limit: int = 400) -> str:
        text = " ".join(scrub(text, [self.token]).split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _explain(self, code: int, headers: dict, raw: bytes, what: str) -> str:
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        detail = payload.get("message", "") if isinstance(payload, dict) else ""
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if isinstance(errors, list):
            extra = "; ".join(str(e.get("message") or e.get("code") or e) if isinstance(e, dict) else str(e) for e in errors)
            if extra:
                detail = f"{detail}: {extra}" if detail else extra
        detail = detail or raw.decode("utf-8", "replace")[:200]
        tok = f"${self.token_env}"
        if code in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers):
            if "retry-after" in headers:
                msg = (f"GitHub's secondary rate limit stopped {what} ({code}): wait {headers['retry-after']} "
                       f"seconds and run again, and avoid running several autofix jobs at once")
            else:
                reset = headers.get("x-ratelimit-reset", "")
                when = ""
                if reset.isdigit():
                    when = " at " + _dt.datetime.fromtimestamp(int(reset), _dt.timezone.utc).strftime("%H:%M UTC")
                msg = (f"GitHub API rate limit exhausted while {what} ({code}); it resets{when or ' within the hour'}: "
                       f"run again after that, or use a token with a higher limit")
        elif code == 429:
            msg = f"GitHub is rate-limiting requests ({code}) while {what}: wait a few minutes and run again"
        elif code == 401:
            msg = (f"GitHub rejected the token in {tok} while {what} (401 {detail or 'Bad credentials'}): "
                   f"set {tok} to a valid, unexpired token")
        elif code == 403:
            hint = (f"give the token in {tok} write access to contents and pull requests of {self.repo} "
                    f"(in a workflow: permissions: contents: write, pull-requests: write)")
            if "not permitted to create or approve pull requests" in detail:
                hint = ("enable 'Allow GitHub Actions to create and approve pull requests' in the repository's "
                        "(or organization's) Settings > Actions > General, or use a personal access token")
            msg = f"GitHub refused {what} (403 {detail}): {hint}"
        elif code == 404:
            msg = (f"GitHub found nothing while {what} (404 {detail or 'Not Found'}): check the repository "
                   f"{self.repo!r} (--repo or GITHUB_REPOSITORY), GITHUB_API_URL, and that the token in {tok} can see it")
        elif code == 422:
            msg = (f"GitHub could not process {what} (422 {detail}): check that the base branch exists on "
                   f"{self.repo} and that the branch was pushed to the same repository")
        elif 300 <= code < 400:
            msg = (f"the GitHub API redirected {what} to another host ({code}); not following it with the token: "
                   f"point GITHUB_API_URL at the API root directly")
        elif code >= 500:
            msg = f"the GitHub API failed while {what} ({code} {detail}): try again later"
        else:
            msg = f"the GitHub API answered {code} while {what}: {detail}"
        return self._clean(msg)

    # ---- pull requests -------------------------------------------------------------------------
    def _pulls(self) -> str:
        return f"/repos/{self.repo}/pulls"

    def find_pull(self, branch: str, state: str = "open") -> list[dict]:
        """Pull requests whose head is `branch` of this repository, newest first."""
        r = self.request("GET", self._pulls(), f"looking for the pull request of {branch}",
                         query={"head": f"{self.owner}:{branch}", "state": state, "per_page": "30"})
        return [p for p in (r.data or []) if isinstance(p, dict)]

    def open_pulls(self) -> list[dict]:
        """Every open pull request (paginated, at most MAX_PAGES pages of 100)."""
        out: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            r = self.request("GET", self._pulls(), "listing open pull requests",
                             query={"state": "open", "per_page": "100", "page": str(page)})
            items = [p for p in (r.data or []) if isinstance(p, dict)]
            out.extend(items)
            if len(items) < 100:
                break
        return out

    def create_pull(self, *, title: str, head: str, base: str, body: str, draft: bool) -> dict:
        r = self.request("POST", self._pulls(), f"creating the pull request for {head}",
                         body={"title": title, "head": head, "base": base, "body": body, "draft": draft})
        return r.data

    def update_pull(self, number: int, what: str, **fields: Any) -> dict:
        r = self.request("PATCH", f"{self._pulls()}/{number}", what, body=fields)
        return r.data

    def add_labels(self, number: int, labels: list[str]) -> None:
        self.request("POST", f"/repos/{self.repo}/issues/{number}/labels", f"adding labels to #{number}",
                     body={"labels": labels})

    def comment(self, number: int, body: str) -> None:
        self.request("POST", f"/repos/{self.repo}/issues/{number}/comments", f"commenting on #{number}",
                     body={"body": body})
