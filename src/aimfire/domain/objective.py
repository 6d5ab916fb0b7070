"""The objective check: a rule-based, deterministic classifier for a planned objective.

Before every call, email or meeting the rep writes one objective. The check labels it and
explains each problem with the phrase, the rule and a rewrite:

- ``learning``: the rep will find out something specific ("Learn who besides Dana signs off").
- ``action``: the prospect commits to a concrete step ("Book a demo with the ops team").
- ``tell``: presenting, pitching or persuading ("Convince them our software is better").
- ``aimless``: no aim ("Check in with Tom"), nothing specific ("Learn more about them"),
  nothing verifiable ("Build rapport") or only the rep acts ("Send the contract").
- ``missing``: empty or whitespace only.

Precedence (first match wins):

1. Blank text -> ``missing``.
2. Persuasion (convince, persuade, push, sell them on, make them see, change their mind,
   overcome objections) -> ``tell``, even next to a commitment: it aims at changing a mind,
   not at a step the prospect takes. Inside a learning question ("Learn what would convince
   them to switch") it does not count.
3. A specific learning or commitment goal -> the label of the first one. Presentation verbs
   (present, explain, walk through, show) next to a goal are the means, not the aim: "Present
   the proposal and book the follow-up meeting" is ``action``, "Explain pricing and ask which
   tier fits" is ``learning``. Aimless verbs with a goal likewise: "Follow up to get a yes or
   no by Friday" is ``action``.
4. Presentation alone -> ``tell``.
5. Only the rep acts (send, email, deliver, call back, leave a voicemail) -> ``aimless`` with
   rule ``rep_only_actor``: at best a continuation, not an advance. Tell wording wins over it
   ("Send the brochure to show why we are better" is ``tell``).
6. Aimless wording, a generic object ("learn about their business", "understand their needs")
   or nothing verifiable ("have a good conversation") -> ``aimless``.
7. A goal only as a fallback ("if not, ...") or a question ("Who signs the PO?") -> its label.
8. Nothing recognised -> ``aimless`` with rule ``not_verifiable``.

"I want ..." framing and a second objective are findings whatever the label; the label
follows what is wanted and the first goal. A goal after "if not", "otherwise" or "at least"
is a minimum acceptable outcome, never a second objective, and never the label when a main
clause exists ("Pitch the pack; if they say no, find out why" is ``tell``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from itertools import pairwise
from typing import Any

from aimfire.domain import objective_lexicon as lex


class Label(StrEnum):
    LEARNING = "learning"
    ACTION = "action"
    TELL = "tell"
    AIMLESS = "aimless"
    MISSING = "missing"


GOOD_LABELS = frozenset({Label.LEARNING, Label.ACTION})
# Findings whose suggestion is an objective in its own right, fit to replace the text as is;
# the others carry advice ("Say what you need to learn from Tom...").
REWRITE_RULES = frozenset({"tell_mode", "want_framing", "rep_only_actor", "multiple_objectives"})

RULES: dict[str, str] = {
    "missing": "There is no objective: say what you need to learn or what they should agree to.",
    "tell_mode": "Presenting, pitching or persuading says what you will do to them, not what "
    "you will learn or what they will commit to.",
    "aimless": "Checking in, following up or learning 'more about them' has no aim you could "
    "hit or miss.",
    "multiple_objectives": "One interaction, one objective: a second goal splits the call.",
    "not_verifiable": "Nothing in it could be answered yes or no afterwards.",
    "want_framing": "'I want ...' centres the objective on your wish instead of what you need "
    "to learn or what they will do.",
    "rep_only_actor": "Only you act (send, email, call back): at best a continuation, not an "
    "advance.",
}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    start: int  # offsets into the text as typed: text[start:end] is the phrase
    end: int
    suggestion: str | None


@dataclass(frozen=True, slots=True)
class ObjectiveCheck:
    text: str
    label: Label
    findings: tuple[Finding, ...]

    @property
    def is_good(self) -> bool:
        return self.label in GOOD_LABELS

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label.value,
            "ok": self.is_good,
            "findings": [asdict(finding) for finding in self.findings],
        }


GOAL_KINDS = frozenset({"learn", "action", "question"})


@dataclass(slots=True)
class Cue:
    """A recognised phrase: its kind (a group in ``lex.CUE_GROUPS``) and its span."""

    kind: str
    start: int
    end: int
    vague: bool = False  # a learning verb whose object names nothing specific


@dataclass(slots=True)
class Context:
    """The objective as typed, its normalised twin (same offsets) and the plan around it."""

    text: str
    norm: str
    channel: str | None
    interaction_type: str | None
    cues: list[Cue] = field(default_factory=list)
    aimless_advice: str | None = None  # built once, shared by every aimless finding


def normalise(text: str) -> str:
    """Lower-case and straighten quotes, dashes and spaces without moving any offset."""
    plain = text.translate(lex.NORMALISE_TABLE)
    lowered = plain.lower()
    if len(lowered) != len(plain):  # a few characters lower-case to two (e.g. "İ")
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in plain)
    return lowered


def check_objective(
    text: str, *, channel: str | None = None, interaction_type: str | None = None
) -> ObjectiveCheck:
    """Label an objective and explain every problem found in it."""
    if not text.strip():
        suggestion = missing_suggestion(channel, interaction_type)
        finding = Finding("missing", lex.MESSAGES["missing"], 0, len(text), suggestion)
        return ObjectiveCheck(text, Label.MISSING, (finding,))
    norm = normalise(text)
    body = lex.PREFIX.match(norm).end()  # type: ignore[union-attr]  # the pattern always matches
    ctx = Context(text, norm, channel, interaction_type, _scan(norm, body))
    label, findings = _decide(ctx, body)
    findings += _want_findings(ctx)
    if len(findings) > 1:
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return ObjectiveCheck(text, label, tuple(findings))


# --- Scanning ----------------------------------------------------------------------------


def _scan(norm: str, body: int) -> list[Cue]:
    cues: list[Cue] = []
    may_negate = lex.ANY_NEGATOR.search(norm, body) is not None
    for match in lex.CUE_PATTERN.finditer(norm, body):
        kind = lex.CUE_KINDS[match.lastgroup or ""]
        start, end = match.start(), _trim_end(norm, match.end())
        if may_negate and kind != "want" and _is_negated(norm, start, body):
            continue  # "don't pitch", "not going to push"
        cue = Cue(kind, start, end)
        if kind == "learn":
            cue.vague = lex.VAGUE_OBJECT.match(norm, end) is not None
        cues.append(cue)
        if kind == "want":
            cues += _wanted(norm, end)
    if not any(c.kind in GOAL_KINDS for c in cues):
        _add_fragment_cue(norm, body, cues, may_negate)
        _add_question_cue(norm, body, cues)
    cues.sort(key=_start)
    return cues


def _start(cue: Cue) -> int:
    return cue.start


def _trim_end(norm: str, end: int) -> int:
    while end > 0 and norm[end - 1].isspace():
        end -= 1
    return end


def _is_negated(norm: str, start: int, body: int) -> bool:
    window = norm[max(body, start - 40) : start]
    return bool(window) and lex.NEGATED_BEFORE.search(window) is not None


def _wanted(norm: str, want_end: int) -> list[Cue]:
    """After "I want": "them to sign" is their step, "a meeting" a commitment noun."""
    match = lex.WANT_OBJECT.match(norm, want_end)
    if not match:
        return []
    if match.group("noun"):
        return [Cue("action", match.start("noun"), match.end("noun"))]
    see = lex.SEE_VERB_START.match(match.group("verb"))
    return [Cue("persuade" if see else "action", match.start("who"), match.end("verb"))]


def _add_fragment_cue(norm: str, body: int, cues: list[Cue], may_negate: bool) -> None:
    """A verb-less commitment ("Demo booked with ops") when no verb named a goal."""
    match = lex.ACTION_FRAGMENT.search(norm, body)
    if match and not (may_negate and _is_negated(norm, match.start(), body)):
        cues.append(Cue("action", match.start(), match.end()))


def _add_question_cue(norm: str, body: int, cues: list[Cue]) -> None:
    """A question ("Who signs the PO?") is a learning objective when nothing else is."""
    if "?" not in norm or any(c.kind in GOAL_KINDS for c in cues):
        return
    start = body
    for brk in lex.SENTENCE_BREAK.finditer(norm, body):
        sentence = norm[start : brk.end()]
        if sentence.rstrip().endswith("?") and lex.QUESTION_START.match(sentence.lstrip()):
            first = start + len(sentence) - len(sentence.lstrip())
            end = _trim_end(norm, brk.end())
            vague = lex.VAGUE_QUESTION.fullmatch(norm, first, end) is not None
            cues.append(Cue("question", first, end, vague=vague))
            return
        start = brk.end()


# --- Deciding ----------------------------------------------------------------------------


def _split_goals(cues: list[Cue], norm: str) -> tuple[list[Cue], list[Cue]]:
    """Specific goals, split into main goals and fallbacks ("if not, learn why")."""
    goals = [c for c in cues if c.kind in GOAL_KINDS and not c.vague]
    if not goals or lex.FALLBACK_MARKER.search(norm) is None:
        return goals, []
    main: list[Cue] = []
    fallbacks: list[Cue] = []
    previous_end = 0
    for cue in cues:
        if cue in goals:
            is_fallback = lex.FALLBACK_MARKER.search(norm, previous_end, cue.start) is not None
            (fallbacks if is_fallback else main).append(cue)
        previous_end = max(previous_end, cue.end)
    return main, fallbacks


def _is_embedded(norm: str, cue: Cue, goals: list[Cue]) -> bool:
    """Tell wording inside a goal's own clause ("Learn what would convince them")."""
    return any(
        goal.end <= cue.start and not lex.COORDINATOR.search(norm, goal.end, cue.start)
        for goal in goals
    )


def _goal_label(goal: Cue) -> Label:
    return Label.ACTION if goal.kind == "action" else Label.LEARNING


def _decide(ctx: Context, body: int) -> tuple[Label, list[Finding]]:
    """Apply the precedence in the module docstring."""
    norm, cues = ctx.norm, ctx.cues
    goals, fallbacks = _split_goals(cues, norm)
    persuasion = [c for c in cues if c.kind == "persuade" and not _is_embedded(norm, c, goals)]
    if persuasion:
        tells = [c for c in cues if c.kind == "tell" and not _is_embedded(norm, c, goals)]
        return Label.TELL, [_tell_finding(ctx, c) for c in sorted(persuasion + tells, key=_start)]
    if goals:
        return _goal_label(goals[0]), _multiple_findings(ctx, goals)
    tells = [c for c in cues if c.kind == "tell"]
    if tells:
        return Label.TELL, [_tell_finding(ctx, c) for c in tells]
    weak = [c for c in cues if c.kind in {"rep", "aimless", "nv"} or c.vague]
    if weak:
        return Label.AIMLESS, [_weak_finding(ctx, c) for c in weak]
    if fallbacks:
        return _goal_label(fallbacks[0]), []
    end = _trim_end(norm, len(norm))
    span = (body, end) if body < end else (0, len(norm))
    message = lex.MESSAGES["nothing_verifiable"]
    return Label.AIMLESS, [Finding("not_verifiable", message, *span, aimless_suggestion(ctx))]


# --- Findings ----------------------------------------------------------------------------


def _finding(ctx: Context, rule: str, start: int, end: int, suggestion: str | None) -> Finding:
    """A finding whose message quotes the phrase as typed."""
    message = lex.MESSAGES[rule].format(phrase=ctx.text[start:end].strip())
    return Finding(rule.removeprefix("vague_"), message, start, end, suggestion)


def _clause_end(ctx: Context, cue: Cue) -> int:
    """Where the cue's clause ends: the coordinator before the next cue that opens a clause."""
    for other in ctx.cues:
        if other.start >= cue.end:
            join = lex.COORDINATOR.search(ctx.norm, cue.end, other.start)
            if join:
                return join.start()
    return len(ctx.norm)


def _object_end(norm: str, cue: Cue) -> int:
    stop = lex.OBJECT_END.search(norm, cue.end)
    return _trim_end(norm, stop.start() if stop else len(norm))


def _tell_finding(ctx: Context, cue: Cue) -> Finding:
    return _finding(ctx, "tell_mode", cue.start, cue.end, tell_suggestion(ctx, cue))


def _weak_finding(ctx: Context, cue: Cue) -> Finding:
    if cue.kind == "rep":
        return _finding(ctx, "rep_only_actor", cue.start, cue.end, rep_suggestion(ctx, cue))
    if cue.vague:
        end = _object_end(ctx.norm, cue)
        return _finding(ctx, "vague_aimless", cue.start, end, aimless_suggestion(ctx))
    rule = "not_verifiable" if cue.kind == "nv" else "aimless"
    return _finding(ctx, rule, cue.start, cue.end, aimless_suggestion(ctx))


def _multiple_findings(ctx: Context, goals: list[Cue]) -> list[Finding]:
    """A second goal that opens its own clause after 'and', 'also', 'then' or a full stop."""
    norm = ctx.norm
    for first, second in pairwise(goals):
        joins = list(lex.COORDINATOR.finditer(norm, first.end, second.start))
        if not joins or not lex.CLAUSE_OPENER.fullmatch(norm, joins[-1].end(), second.start):
            continue
        last_join = joins[-1].start()
        start = last_join if norm[last_join].isalpha() else second.start
        end = max(second.end, _object_end(norm, second))
        keep = sentence_case(ctx.text[first.start : joins[0].start()].strip(" ,;.-"))
        return [_finding(ctx, "multiple_objectives", start, end, keep or None)]
    return []


def _want_findings(ctx: Context) -> list[Finding]:
    cue = next((c for c in ctx.cues if c.kind == "want"), None)
    if cue is None:
        return []
    return [_finding(ctx, "want_framing", cue.start, cue.end, want_suggestion(ctx, cue.end))]


# --- Rewrites ----------------------------------------------------------------------------
# Built from the parsed objective (who it is about, the object of the verb), never looked up
# by whole sentence. Each rewrite of a tell, want or rep-only objective checks as good itself.


def _party_at(ctx: Context, pos: int, end: int) -> tuple[lex.Party, int] | None:
    """The party named exactly at ``pos`` (a pronoun, a name or 'the new CFO'), if any."""
    match = lex.PARTY.match(ctx.text, pos, end)
    if not match or match.group("who") in lex.NAME_STOPWORDS:
        return None
    return lex.party(match.group("who")), match.end()


def _trailing_party(ctx: Context, start: int, end: int) -> tuple[lex.Party, int] | None:
    """A recipient closing the object ('... to the store managers'), and where it starts."""
    for joint in lex.TRAILING_RECIPIENT.finditer(ctx.norm, start, end):
        match = lex.PARTY.fullmatch(ctx.text, joint.end(), end)
        if match and match.group("who") not in lex.NAME_STOPWORDS:
            return lex.party(match.group("who")), joint.start()
    return None


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _original(ctx: Context, start: int, end: int) -> str:
    return ctx.text[start:end].strip(" ,;:.-")


def _object_span(ctx: Context, cue: Cue) -> tuple[int, int]:
    """The verb's object: up to punctuation, a purpose clause or the next clause."""
    limit = _clause_end(ctx, cue)
    stop = lex.SUGGEST_OBJECT_END.search(ctx.norm, cue.end, limit)
    end = stop.start() if stop else limit
    joiner = lex.TRAILING_JOINER.search(ctx.norm, cue.end, end)
    return cue.end, _trim_end(ctx.norm, joiner.start() if joiner else end)


def _thing(ctx: Context, start: int, end: int) -> str:
    """The object without leading prepositions ("about", "the value of")."""
    start = lex.LEADING_PREPOSITIONS.match(ctx.norm, start, end).end()  # type: ignore[union-attr]
    return _original(ctx, start, end)


def tell_suggestion(ctx: Context, cue: Cue) -> str:
    verb = ctx.norm[cue.start : cue.end]
    start, end = _object_span(ctx, cue)
    party, pos = lex.THEY, start
    lead_in = lex.PARTY_LEAD_IN.match(ctx.norm, cue.start, end)
    found = _party_at(ctx, lead_in.end(), end) if lead_in else None
    if found:
        party, pos = found[0], max(start, found[1])
    if verb.startswith(lex.PERSUADE_TO_PREFIXES):
        to = lex.TO_VERB_PHRASE.match(ctx.norm, pos, end)
        if to:
            return _decision_rewrite(party, ctx.text[to.start("vp") : end])
    if "objection" in verb or "mind" in verb:
        return _view_rewrite(verb, ctx.text[pos:end].strip())
    claim = lex.CLAIM_INTRO.search(ctx.norm, pos, end)
    claim_start = claim.start("claim") if claim else pos
    if claim or lex.HAS_VERB.search(ctx.norm, claim_start, end):
        wh = claim.group("wh") if claim else ""
        return _claim_rewrite(verb, party, _original(ctx, claim_start, end), wh)
    recipient = _trailing_party(ctx, pos, end)
    if recipient:
        party, end = recipient
    return _object_rewrite(verb, party, _thing(ctx, pos, end))


def _decision_rewrite(party: lex.Party, verb_phrase: str, opening: str = "Understand") -> str:
    verb_phrase = verb_phrase.strip(" ,;.")
    if verb_phrase.lower().startswith("decide"):
        decision = "decision" + verb_phrase[len("decide") :]
    else:
        decision = f"decision to {verb_phrase}"
    return f"{opening} what is getting in the way of {party.poss} {decision}"


def _view_rewrite(verb: str, rest: str) -> str:
    """'Overcome their objection about X', 'change his mind about X'."""
    possessive = lex.POSSESSIVE.search(verb)
    owner = lex.PRONOUNS[possessive[0]] if possessive else lex.THEY
    if "objection" in verb:
        kind = lex.OBJECTION_KIND.search(verb)
        objection = f"{kind['kind']} objection" if kind else "objection"
        return f"Understand what is behind {owner.poss} {objection} {rest}".rstrip()
    return " ".join(f"Understand what {owner.poss} current view {rest} is based on".split())


def _claim_rewrite(verb: str, party: lex.Party, claim: str, wh: str) -> str:
    comparative = lex.COMPARATIVE.match(claim.lower())
    persuading = not verb.startswith(lex.EXPLAIN_PREFIXES) or verb.startswith("tell")
    if comparative and persuading:
        subject = claim[: comparative.end("subject")]
        return party.fill(
            f"Understand what {{subj}} would need to see to prefer {subject} over what "
            "{subj} {use} now"
        )
    if persuading and not verb.startswith(("show", "demo")):
        return party.fill(f"Find out what {{subj}} would need to see to believe {claim}")
    about = f"{wh} {claim}" if wh in {"why", "how"} else claim
    return party.fill(f"Find out what questions {{subj}} still {{have}} about {about}")


def _object_rewrite(verb: str, party: lex.Party, thing: str) -> str:
    if verb.startswith("position") or not thing:
        return party.fill("Find out what {subj} would need to see or hear to take the next step")
    if "case" in verb:
        return f"Learn what would make {thing} worth it to {party.obj}"
    if verb.startswith(lex.EXPLAIN_PREFIXES):
        return party.fill(f"Find out what questions {{subj}} still {{have}} about {thing}")
    return party.fill(f"Learn whether {thing} would solve a problem {{subj}} {{have}} today")


def want_suggestion(ctx: Context, want_end: int) -> str:
    them_to = lex.WANT_THEM_TO.match(ctx.norm, want_end)
    if them_to and not lex.SEE_VERB_START.match(them_to.group("vp")):
        party = lex.party(_original(ctx, them_to.start("who"), them_to.end("who")))
        verb_phrase = _original(ctx, them_to.start("vp"), len(ctx.norm))
        return _decision_rewrite(party, verb_phrase, opening="I need to understand")
    rest = _original(ctx, want_end, len(ctx.text))
    if rest.lower().startswith("to "):
        rest = rest[3:]
    elif lex.DETERMINER_START.match(rest.lower()):
        rest = f"get {rest}"  # "I'd like a meeting" -> "Get a meeting"
    if not rest:
        return lex.FALLBACK_REWRITE
    result = check_objective(
        sentence_case(rest), channel=ctx.channel, interaction_type=ctx.interaction_type
    )
    if result.is_good and all(f.rule != "want_framing" for f in result.findings):
        return sentence_case(rest)
    return next((f.suggestion for f in result.findings if f.suggestion), lex.FALLBACK_REWRITE)


def _aimless_party(ctx: Context) -> lex.Party:
    for lead_in in lex.AIMLESS_WHO.finditer(ctx.text):
        found = _party_at(ctx, lead_in.end(), len(ctx.text))
        if found:
            return found[0]
    return lex.THEY


def _example(party: lex.Party, channel: str | None, interaction_type: str | None) -> str:
    """An example objective for the playbook interaction type, else for the channel."""
    kind = (interaction_type or "").lower()
    for keyword, template in lex.TYPE_EXAMPLES:
        if keyword in kind:
            return party.fill(template)
    return party.fill(lex.CHANNEL_EXAMPLES.get((channel or "").lower(), lex.DEFAULT_EXAMPLE))


def aimless_suggestion(ctx: Context) -> str:
    if ctx.aimless_advice is None:
        party = _aimless_party(ctx)
        example = _example(party, ctx.channel, ctx.interaction_type)
        ctx.aimless_advice = (
            f"Say what you need to learn from {party.obj} or what step you want {party.obj} "
            f"to agree to, e.g. '{example}'"
        )
    return ctx.aimless_advice


def rep_suggestion(ctx: Context, cue: Cue) -> str:
    start, end = _object_span(ctx, cue)
    party = lex.THEY
    recipient = _trailing_party(ctx, start, end)
    if recipient:
        party, end = recipient
    thing = _thing(ctx, start, end)
    if thing and ctx.norm.startswith(lex.DELIVERABLE_PREFIXES, cue.start):
        return f"Get {party.obj} to agree to a time to go through {thing} together"
    return f"Get {party.obj} to agree to a dated next step, e.g. a call to go through it together"


def missing_suggestion(channel: str | None, interaction_type: str | None) -> str:
    example = _example(lex.THEY, channel, interaction_type)
    return f"Write what you need to learn or the step you want them to agree to, e.g. '{example}'"
