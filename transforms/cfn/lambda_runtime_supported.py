from autofix.fixes import Applicability
from autofix.rules import Rule

from . import _versions as v


class LambdaRuntimeSupported(Rule):
    """
    What it does:
        Checks the `Runtime` of `AWS::Lambda::Function`, `AWS::Serverless::Function` and SAM
        `Globals.Function` against the Lambda runtime lifecycle in the catalog.  A deprecated
        runtime becomes its successor of the same language (`python3.8` -> the newest
        Python).  The value is fixed where it is set: inline, in a Parameter's Default (keeping
        AllowedValues consistent) or in a Mappings entry; a value that cannot be resolved
        statically is reported.

    Why:
        A deprecated runtime gets no security patches.  Some time later AWS blocks creating
        functions on it (the template no longer deploys into a new stack), then updating them.

    Settings:
        [versions]
        today = "2027-03-01"   # the date to compare lifecycle dates with (default: today)

    Example:
        Fn:                                   Fn:
          Type: AWS::Lambda::Function           Type: AWS::Lambda::Function
          Properties:                  ->       Properties:
            Runtime: python3.8                    Runtime: python3.14

    Fix safety:
        Where AWS already blocks creating functions on the runtime, the template cannot deploy
        as it is: the fix is safe (its note asks to test the code on the new runtime).  Where
        the runtime is only deprecated the fix is unsafe, because the function code may need
        changes for the new language version; so is a change of runtime family (go1.x ->
        provided.al2023 needs the code rebuilt as a `bootstrap` executable).
    """

    code = "AF204"
    name = "lambda-runtime-supported"
    summary = "Lambda functions use a runtime AWS still supports (successor of the same language)"
    source_url = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
    resource_types = v.FUNCTION_TYPES
    cfn_lint = ("W2531", "E2531", "E2533")
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        cat = ctx.catalog
        today = v.today(ctx)
        doc = ctx.doc
        for group in v.groups(doc, v.runtime_sites(doc)):
            t = group.target
            if t.kind == "unresolved":
                yield from self._unresolved(cat, today, group)
                continue
            rt = cat.runtime(t.value)
            if rt is None:
                continue
            status = rt.status(today)
            if status == "supported":
                continue
            succ = self._successor(cat, rt, today)
            lint = self._lint(rt, today)
            when = self._when(rt, status)
            short = t.path[-1] if t.kind == "literal" else "/".join(t.path)
            if succ is None:
                yield self.fix(f"{group.describe(t.value)} {when}; the catalog names no supported successor",
                               t.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY, cfn_lint=lint)
                continue
            message = f"{group.describe(t.value)} {when} -> {succ.name}"
            edits, paths, problem = v.set_value(doc, t, succ.name)
            if problem:
                yield self.fix(f"{message}; not changed: {problem}", t.node, resource=group.first.res,
                               applicability=Applicability.DISPLAY_ONLY, cfn_lint=lint)
                continue
            reason = None
            if succ.family != rt.family:
                reason = (f"{succ.name} is another kind of runtime than {t.value}: the function must be rebuilt for it"
                          + (" (a Go binary named `bootstrap`)" if rt.family == "go" else ""))
            elif status != "blocked":
                reason = (f"the function code may need changes to run on {succ.name}; AWS still creates functions on "
                          f"{t.value}" + (f" until {rt.block_create}" if rt.block_create else ""))
            yield self.fix(
                message, t.node, edits=edits, paths=paths, resource=group.first.res,
                applicability=Applicability.UNSAFE if reason else Applicability.SAFE, unsafe_reason=reason,
                cfn_lint=lint, before=f"{short}: {t.value}", after=f"{short}: {succ.name}",
                notes=[] if reason else [f"test the function code on {succ.name}"],
            )

    @staticmethod
    def _successor(cat, rt, today):
        seen = {rt.name}
        cur = cat.runtime(rt.successor) if rt.successor else None
        while cur is not None and cur.status(today) != "supported":
            if cur.name in seen or not cur.successor:
                return None
            seen.add(cur.name)
            cur = cat.runtime(cur.successor)
        return cur

    @staticmethod
    def _when(rt, status) -> str:
        if status == "blocked":
            return (f"is deprecated (since {rt.deprecated}) and AWS blocks creating functions on it since {rt.block_create}")
        later = f"; creating functions on it is blocked from {rt.block_create}" if rt.block_create else ""
        return f"is deprecated since {rt.deprecated}{later}"

    @staticmethod
    def _lint(rt, today) -> tuple[str, ...]:
        update = v.parse_date(rt.block_update)
        create = v.parse_date(rt.block_create)
        if update is not None and update <= today:
            return ("E2533",)
        if create is not None and create <= today:
            return ("E2531",)
        return ("W2531",)

    def _unresolved(self, cat, today, group):
        t = group.target
        bad = []
        for value in dict.fromkeys(t.candidates):
            rt = cat.runtime(value)
            if rt is not None and rt.status(today) != "supported":
                succ = self._successor(cat, rt, today)
                bad.append(f"{value}, which {self._when(rt, rt.status(today))}" + (f" (use {succ.name})" if succ else ""))
        if bad:
            message = f"{group.label} can be {'; or '.join(bad)}; not changed because {t.reason}"
        elif t.opaque:
            message = f"{group.label}: the runtime cannot be checked against the catalog because {t.reason}"
        else:
            return
        yield self.fix(message, group.first.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY)
