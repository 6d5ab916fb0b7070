"""Word lists and compiled patterns for the objective check (see ``objective.py``).

Every pattern runs on the *normalised* objective: lower-cased, curly quotes and dashes
replaced, same length as the original so match offsets are offsets into what the rep typed.
Cue patterns are listed by kind (``CUE_GROUPS``); ``CUE_PATTERN`` compiles them into one
alternation, regrouped by first letter for speed, so a single left-to-right scan finds every
cue. Group order matters where two kinds can start at the same word (``get them to see`` is
persuasion, ``get them to sign`` an action), so the more specific kinds come first. The
second half holds the words of the rewrites: parties, pronouns, messages and examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Length-preserving replacements (one character for one) so offsets stay valid.
NORMALISE_TABLE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\t\u00a0\u1680\u2028\u2029\u202f\u205f\u3000", " "),
        **dict.fromkeys(map(chr, range(0x2000, 0x200B)), " "),
        **dict.fromkeys("\u2022\u00b7\u25cf\u2023", "*"),
        "\r": "\n",
    }
)

# Up to three words naming the other party ("them", "maria", "the hr manager", "mr. lee").
WHO = r"(?!to\b)(?:them|him|her|us|[a-z][\w'.&-]*(?:\s+[a-z][\w'.&-]*){0,2}?)"
# Verbs after "get/make/help X to ..." that aim at changing a mind rather than a step.
SEE_VERBS = (
    r"(?:see|understand|realis\w*|realiz\w*|appreciate|believe|recogni[sz]e|value|know|"
    r"get\s+excited|be\s+excited|care|buy\s+into|agree\s+that)"
)
# Words allowed between a verb and a commitment noun: never a preposition, so that
# "get their feedback on the trial" does not read as "get ... trial".
MODIFIER = (
    r"(?!(?:on|about|for|from|of|with|to|in|at|by|into|regarding|around|after|before)\b)"
    r"[\w'$.-]+"
)
# Things a prospect can commit to; the noun of an action objective.
COMMIT_NOUN = (
    r"(?:yes|decision|commitment|signature|contract|agreement|order|po|purchase\s+order|"
    r"deposit|down\s+payment|payment|meeting|appointment|demo|call|visit|site\s+visit|tour|"
    r"showing|test\s+drive|trial|pilot|introduction|intro|referrals?|date|approval|go-ahead|"
    r"green\s+light|sign-?off|answer|offer|application|renewal|upgrade|booking|reservation|"
    r"slot|walk-?through|lunch|coffee|dinner|follow-up|next\s+step|close|sale|deal|"
    r"reply\s+(?:confirming|saying|with|that)|confirmation|handshake|verbal|quote\s+approved|"
    r"nda|msa|sow|loi|letter\s+of\s+intent|paperwork|credit\s+application|listing|"
    r"engagement\s+letter|lease|rsvp|headcount\s+commitment|install(?:ation)?\s+date)"
)

_PERSUADE = [
    r"convinc(?:e|es|ing)\b",
    r"persuad(?:e|es|ing)\b",
    r"sell(?:ing)?\s+(?:[\w'.-]+\s+){0,3}?on\b",
    r"sell(?:ing)?\s+(?:them\s+|him\s+|her\s+)?(?:the|our)\s+(?:value|benefits?|idea|vision|story)",
    rf"(?:make|get|help)(?:ing)?\s+{WHO}\s+(?:to\s+)?{SEE_VERBS}\b",
    r"(?:make|get)(?:ing)?\s+(?:them|him|her|\w+)\s+(?:excited|aware|interested)",
    r"make\s+sure\s+(?:they|he|she|\w+)\s+(?:know|knows|understands?|sees?|realis\w*|realiz\w*|"
    r"are\s+aware|hears?|gets?\s+that)\b",
    r"push(?:ing)?(?=\s+(?!back\b)(?:them|him|her|the|our|for|hard|a|an|this|it|\w+\s+to)\b)",
    r"pressur(?:e|ing)\s+(?:them|him|her|the\s+\w+|\w+)\b",
    r"advocat(?:e|ing)\b",
    r"win(?:ning)?\s+(?:them|him|her|[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?)\s+over\b",
    r"chang(?:e|ing)\s+(?:their|his|her|the\s+\w+'s|\w+'s)\s+minds?\b",
    r"make\s+(?:the|our|a|a\s+strong|a\s+compelling)\s+case\b",
    r"(?:overcome|overcoming|handle|handling|beat|crush)\s+(?:their|his|her|the|any|all|every)?"
    r"\s*(?:[\w-]+\s+)?objections?\b",
    r"impress(?:ing)?\s+(?:them|him|her|the)\b",
    r"talk(?:ing)?\s+(?:them|him|her|\w+)\s+(?:into|out\s+of)\b",
    r"position(?:ing)?\s+(?:us|our|ourselves|the\s+\w+|it|this)\b",
    r"prov(?:e|ing)\s+(?:to\s+them\s+)?(?:that|our|we|why)\b",
    r"hard[\s-]sell\b",
]

_NOT_VERIFIABLE = [
    r"build(?:ing)?\s+(?:(?:a|the|some|more|our|my|better|strong(?:er)?|good|great|solid|"
    r"real|personal|working|long-term)\s+){0,3}(?:rapport|relationship|trust|goodwill|"
    r"connection|credibility)",
    r"(?:establish|earn|gain|develop|strengthen|deepen|grow|improve|solidify|cement|"
    r"nurture|maintain)(?:ing)?\s+(?:(?:a|the|some|more|our|my|their|better|strong(?:er)?|"
    r"good|personal|working)\s+){0,3}(?:rapport|relationship|trust|goodwill|connection|"
    r"credibility|partnership)",
    r"have\s+(?:a|an)\s+(?:really\s+|very\s+)?(?:good|great|productive|positive|nice|solid|"
    r"friendly|meaningful|quality|genuine|real|open|honest|pleasant|fun|warm|useful|"
    r"valuable|relaxed|casual|engaging)\s+(?:\w+\s+)?(?:conversation|chat|call|meeting|talk|"
    r"discussion|visit|time|lunch)",
    r"make\s+(?:a\s+|an\s+)?(?:good|great|strong|positive|lasting|solid|favou?rable|"
    r"excellent)?\s*(?:first\s+)?impression",
    r"be\s+(?:more\s+)?(?:helpful|friendly|useful|memorable|professional|a\s+resource|"
    r"likeable|likable|genuine|personable|authentic|present|visible|responsive)\b",
    r"(?:add|adding|provide|providing|bring|bringing|deliver|delivering)\s+value\b",
    r"warm\s+(?:them|him|her|the\s+\w+|\w+)\s+up\b",
    r"(?:make|get)\s+(?:them|him|her|\w+)\s+(?:to\s+)?(?:like|trust)\s+(?:me|us|our)\b",
    r"make\s+(?:them|him|her|\w+)\s+feel\b",
    r"(?:make|get)\s+(?:them|him|her)\s+(?:feel\s+)?(?:comfortable|happy|at\s+ease)\b",
    r"break\s+the\s+ice\b",
    r"get\s+on\s+(?:their|his|her)\s+good\s+side\b",
    r"(?:leave|keep)\s+(?:them|him|her)\s+(?:happy|smiling|feeling\s+good)\b",
]

_AIMLESS = [
    r"check(?:ing|ed)?[\s-]+in\b",
    r"touch(?:ing)?[\s-]+base\b",
    r"follow(?:ing)?[\s-]*up\b",
    r"(?:fu|f/u|fup)\b",
    r"circl(?:e|ing)\s+back\b",
    r"re-?connect(?:ing)?\b",
    r"re-?engag(?:e|ing)\b",
    r"check(?:ing)?\s+on\b",
    r"catch(?:ing)?[\s-]+up\b",
    r"(?:stay|staying|keep|keeping|remain|be)\s+(?:top\s+of\s+mind|in\s+touch|in\s+contact|"
    r"on\s+(?:their|his|her|the)\s+radar|visible|connected|in\s+front\s+of\s+(?:them|him|her))",
    r"top\s+of\s+mind\b",
    r"just\s+(?:calling|checking(?:[\s-]+in)?|wanted|touching(?:\s+base)?|saying|"
    r"reaching(?:\s+out)?|a\s+quick|following(?:[\s-]*up)?|to\s+say|seeing)\b",
    r"say(?:ing)?\s+(?:hi|hello|hey)\b",
    r"(?:ping|poke|nudge)(?:ing)?\b",
    r"keep(?:ing)?\s+(?:the|things|it|them|him|her|this|our)\s+(?:\w+\s+){0,2}?(?:warm|"
    r"moving|going|alive|open|engaged|rolling|ticking\s+over)\b",
    r"reach(?:ing)?\s+out\b",
    r"get(?:ting)?\s+in\s+(?:touch|contact)\b",
    r"make\s+contact\b",
    r"get(?:ting)?\s+(?:an|a\s+quick|a|the\s+latest)\s+(?:status\s+)?update\b",
    r"status\s+update\b",
    r"nurtur(?:e|ing)\b",
    r"see\s+(?:how\s+(?:things|everything|it|they|he|she|you|business|life|the\s+\w+)\s+"
    r"(?:is|are|'s|'re|was|were|has\s+been|have\s+been)\s+(?:going|doing|getting\s+on)|"
    r"how\s+(?:they|he|she)\s+(?:like|liked|are\s+liking)|where\s+(?:things|we|it|they)|"
    r"what's\s+(?:new|up|happening|going\s+on)|what\s+(?:is\s+)?(?:new|happening|up)|"
    r"(?:if|whether)\s+(?:they|he|she)\s+(?:have|has|had|need|needs)\s+any|"
    r"(?:if|whether)\s+there(?:'s|\s+is|\s+are)\s+anything|(?:if|whether)\s+anything)",
    r"quick\s+chat\b",
    r"touch\s*point\b",
    r"connect(?:ing)?\s+with\b",
    r"how\s+(?:are|is)\s+(?:things|everything|it|business)\s+going\b",
    r"(?:how's|how\s+is)\s+it\s+going\b",
]

_LEARN = [
    r"get(?:ting)?\s+(?:some\s+)?(?:clarity|a\s+sense|a\s+feel|a\s+read|an\s+idea|"
    r"a\s+clear(?:er)?\s+(?:picture|idea|view)|an\s+understanding|the\s+names?|the\s+number)"
    r"(?:\s+(?:on|of|for|about|around))?",
    r"get(?:ting)?\s+to\s+know\b",
    rf"(?:get|have|ask)\s+{WHO}\s+to\s+(?:tell|share|explain|show|walk)\s+(?:us|me)\b",
    r"(?:probe|probing|dig|digging|look|looking)\s+(?:deeper\s+)?(?:into|on|for)\b",
    r"find\s+(?!(?:a\s+)?(?:time|date|slot)\b)(?=(?:the|their|his|her|any|who|what|which)\b)",
    r"confirm(?:ing)?\s+(?=(?:the|their|his|her)\s+(?:[\w'-]+\s+){0,2}?(?:address|number|"
    r"details|spelling|name|email|contact|specs?|quantity|size|sizes|count|budget|amount|"
    r"figures?)\b)",
    r"get(?:ting)?\s+(?:their|his|her|some|the|honest)?\s*(?:honest\s+)?(?:feedback|opinions?|"
    r"thoughts|take|reaction|input|read)\b",
    r"find(?:ing)?\s+out\b",
    r"figur(?:e|ing)\s+out\b",
    r"work(?:ing)?\s+out\s+(?=who|what|why|when|where|which|how|whether|if)",
    r"learn(?:ing)?\b",
    r"understand(?:ing)?\b",
    r"discover(?:ing)?\b",
    r"determin(?:e|ing)\b",
    r"identify(?:ing)?\b",
    r"uncover(?:ing)?\b",
    r"clarify(?:ing)?\b",
    r"diagnos(?:e|ing)\b",
    r"assess(?:ing)?\b",
    r"gaug(?:e|ing)\b",
    r"explor(?:e|ing)\s+(?=who|what|why|when|where|which|how|whether|if)",
    r"(?:pin|nail)(?:ning)?\s+down\b",
    r"map(?:ping)?\s+out\b",
    r"qualify(?:ing)?\b",
    r"(?:establish|verify|confirm|check|test)(?:ing)?\s+"
    r"(?=who|what|why|when|where|which|how|whether|if|that|they\b|he\b|she\b)",
    r"see\s+(?=if|whether|how\s+(?:many|much|long|often|soon|far)|which|who)",
    r"(?:(?:need|want|have)\s+to\s+)?know\s+(?=who|what|why|when|where|which|how|whether|if)",
    r"ask(?:ing)?\s+(?:(?:them|him|her|[a-z][\w'.-]*(?:\s+[a-z][\w'.-]*)?)\s+)?"
    r"(?=who|what|why|when|where|which|how|whether|if|about)",
]

_TELL = [
    r"present(?:ing)?\s+(?!at\b|in\s+the\s+room|for\b)",
    r"pitch(?:ing)?\b",
    r"tell(?:ing)?\s+(?:them|him|her|us|[a-z][\w'.&-]*(?:\s+[a-z][\w'.&-]*){0,2}?)\s+"
    r"(?:about|why|that|how|what|all\s+about)\b",
    r"tell(?:ing)?\s+(?:them|him|her|[a-z][\w'.-]*)\s+(?=(?:we|our|i|it|the|they|there)\b)",
    r"(?:talk|chat|speak)(?:ing)?\s+(?:(?:to|with)\s+(?:[\w'.-]+\s+){1,3}?)?(?:about|through)\b",
    r"discuss(?:ing)?\b",
    r"go(?:ing)?\s+(?:over|through)\b",
    r"walk(?:ing)?\s+(?:(?:them|him|her|[\w'.-]+(?:\s+[\w'.-]+)?)\s+)?through\b",
    r"run(?:ning)?\s+(?:them\s+|him\s+|her\s+)?through\b",
    r"review(?:ing)?(?=\s+(?:the|our)\b)",
    r"show(?:ing|case|casing)?\s+(?!up\b|interest\b)",
    r"(?<!a\s)(?<!the\s)demo(?=\s+(?:the|our|it|how|to|them|him|her|some|a\s+few|what)\b)",
    r"demonstrat(?:e|ing)\b",
    r"explain(?:ing)?\b",
    r"educat(?:e|ing)\b",
    r"inform(?:ing)?\s+(?:them|him|her|the\s+\w+|\w+)\s+(?:about|of|that|on)\b",
    r"introduc(?:e|ing)(?=\s+(?:our|the|a|an|new|them\s+to\s+our)\b)",
    r"highlight(?:ing)?\b",
    r"emphasi[sz](?:e|ing)\b",
    r"stress(?:ing)?\s+(?:the|our|that|how|why)\b",
    r"promot(?:e|ing)\b",
    r"share\s+(?:our|the|a)\s+(?:[\w-]+\s+){0,2}?(?:vision|story|benefits|features|roadmap|"
    r"results|success|value|news|case\s+stud\w+|testimonials?)",
    r"let\s+(?:them|him|her|[a-z][\w'.-]*)\s+know\b",
    r"update\s+(?:them|him|her)\s+(?:on|about)\b",
    r"give\s+(?:them\s+|him\s+|her\s+)?(?:a|the|our)\s+(?:\w+\s+)?(?:presentation|pitch|"
    r"overview|rundown|demo)\b",
    r"sell(?:ing)?\s+(?:them|him|her)\s+(?:the\s+)?(?:idea|benefits)\b",
]

_ACTION = [
    r"get(?:ting)?\s+(?:on\s+site|in\s+the\s+door|in\s+front\s+of|face\s+time)\b",
    r"(?:make\s+sure|ensure)\s+(?:that\s+)?(?:the|their|his|her)\s+(?:[\w'-]+\s+){0,3}?(?:is|are|"
    r"will\s+be|attends?|joins?|comes?|shows?\s+up)\b",
    r"(?:save|retain|keep)\s+(?:the|their|this|our)\s+(?:account|business|client|customer|"
    r"contract|subscription)\b",
    r"(?:keep|stop|prevent)\s+(?:them|him|her)\s+from\s+(?:cancel|churn|leav|switch)\w*",
    r"find\s+(?:a\s+)?(?:time|date|slot)\b",
    rf"(?:get|getting|have|having|ask|asking|need|needing|invite|encourage|want)\s+{WHO}\s+"
    rf"to\s+(?!{SEE_VERBS}\b)[a-z]",
    rf"(?:have|having)\s+{WHO}\s+(?:commit|decide|sign|agree|introduce|bring|book|set|"
    r"schedule|confirm|approve|choose|pick|buy|order|renew|register|put|name|send|give|"
    r"pay|place|accept|reply|respond)\b",
    rf"(?:get|getting|secure|securing|obtain|win|land|earn|leave\s+with|walk\s+away\s+with|"
    r"come\s+away\s+with|end\s+(?:the\s+call|the\s+meeting)?\s*with|lock\s+(?:in|down)|"
    r"need|request|ask\s+(?:them\s+|him\s+|her\s+)?for)\s+"
    rf"(?:{MODIFIER}\s+){{0,4}}?{COMMIT_NOUN}\b",
    r"get(?:ting)?\s+(?:[\w'$-]+\s+){1,5}?(?:signed|booked|scheduled|approved|confirmed|"
    r"set\s+up|locked\s+in|on\s+the\s+calendar|in\s+the\s+diary|placed|sold|done|back|added|"
    r"renewed|upgraded|extended|processed|returned|countersigned|paid|finali[sz]ed|"
    r"over\s+the\s+line|across\s+the\s+line)\b",
    r"book\b(?!\s+(?:value|club))",
    r"(?<!the\s)(?<!their\s)(?<!a\s)(?<!our\s)(?<!his\s)(?<!her\s)(?:re)?schedul(?:e|ing)\b",
    r"set(?:ting)?\s+(?:up\s+)?(?:a|an|the|another|second|next|up|time|date|them|him|her)\b",
    r"arrang(?:e|ing)\s+(?:a|an|the|another|second|next)\b",
    r"(?<!the\s)confirm(?:ing)?\s+(?:the|a|our|their|his|her|\d+)?\s*(?:[\w'-]+\s+){0,2}?"
    r"(?:meeting|appointment|demo|call|visit|order|booking|date|time|tour|showing|seats|"
    r"tickets|reservation|start|attendance|participation|headcount|numbers|po)\b",
    r"clos(?:e|ing)\s+(?:the|this|that|a|an|them|him|her|out|it|\d+|on|our|their)\b",
    r"sign(?:ing)?\s+(?:up|them|him|her|the|a|an|on)\b",
    r"sell(?:ing)?\b",
    r"renew\b",
    r"(?<!the\s)(?<!an\s)upgrad(?:e|ing)\s+(?:them|him|her|the|their|to|from|\d+)\b",
    r"(?:upsell|cross-?sell)(?:ing)?\b",
    r"convert(?:ing)?\s+(?:the|them|him|her|their|a|an|\d+)\b",
    r"win\s+(?:the|this|that|their|a|an|back)\s+(?:[\w-]+\s+){0,2}?(?:bid|deal|business|"
    r"contract|account|order|sale|renewal|tender|rfp|them|him|her)\b",
    r"land\s+(?:a|an|the)\b",
    r"agree(?:ing)?\s+(?:on|to|upon|a|an|the|next|terms|dates?|pricing|price|numbers)\b",
    r"clos(?:e|ing)(?=\s*[!.]*\s*$)",
    r"(?:take|collect|taking|collecting)\s+(?:a|the|their)\s+(?:deposit|order|payment)\b",
    r"place\s+(?:an|the|their)\s+order\b",
    r"(?:register|enrol|enroll)(?:ing)?\s+(?:them|him|her|the|\d+)\b",
    r"(?:signed|approved|accepted)\s+(?:quote|proposal|estimate|form|order|contract|"
    r"agreement|offer|application|lease|po)\b",
]

# Verb-less fragments ("Demo booked with ops", "4 tickets sold"). Tried only when no goal
# was found: a noun-first branch in the main scan would be attempted at almost every word.
ACTION_FRAGMENT = re.compile(
    rf"\b(?:{COMMIT_NOUN}\s+(?:booked|scheduled|signed|agreed|confirmed|approved|placed|sold|"
    r"locked\s+in|in\s+the\s+diary|on\s+the\s+calendar)|(?:\d+|two|three|four|five|six|eight|"
    r"ten|twelve)\s+(?:[\w-]+\s+){0,2}?(?:tickets|seats|units|licen[cs]es|plans|packages)\s+"
    r"sold)\b"
)

_REP_ONLY = [
    r"(?:re)?send(?:ing)?\b",
    r"e-?mail(?:ing)?(?=\s+(?:the|them|him|her|a|an|our|over|out|it|this)\b)",
    r"mail(?:ing)?(?=\s+(?:the|them|a|an|out)\b)",
    r"fax(?:ing)?\b",
    r"drop(?:ping)?\s+off\b",
    r"(?:stop|swing|drop|pop)(?:ping)?\s+by\b",
    r"deliver(?:ing)?(?=\s+(?:the|a|an|our|their)\b)",
    r"forward(?:ing)?(?=\s+(?:the|a|an|our|them|it)\b)",
    r"submit(?:ting)?\b",
    r"leav(?:e|ing)\s+(?:a|an)\s+(?:\w+\s+)?(?:voicemail|message|note|vm|card)\b",
    r"call(?:ing)?\s+(?:(?:them|him|her|[a-z][\w'.-]*)\s+)?back\b",
    r"giv(?:e|ing)\s+(?:them|him|her|\w+)\s+(?:a\s+)?(?:call|ring|copy|buzz)\b",
    r"provid(?:e|ing)(?=\s+(?:the|a|an|them|our|him|her)\b)",
    r"prepar(?:e|ing)\b",
    r"draft(?:ing)?\b",
    r"upload(?:ing)?\b",
    r"(?:re-?)?introduc(?:e|ing)\s+(?:myself|ourselves|us)\b",
    r"say(?:ing)?\s+thanks?\b",
    r"(?:give|giving|send|sending)\s+(?:them\s+|him\s+|her\s+)?(?:a|an)\s+(?:quick\s+)?update\b",
    r"update\s+(?:on|about)\b",
    r"thank(?:ing)?\s+(?:them|him|her|[a-z][\w'.-]*)\b",
    r"remind(?:ing)?\b",
    r"answer(?:ing)?\s+(?:their|any|all|his|her|the)\s+(?:\w+\s+)?questions\b",
    r"(?:reply|respond)(?:ing)?\s+to\b",
    r"get(?:ting)?\s+back\s+to\s+(?:them|him|her|[a-z][\w'.-]*)\b",
    r"share\s+(?:(?:the|our|my)\s+)?(?:\w+\s+)?(?:deck|brochure|quote|pricing|proposal|info|"
    r"information|link|file|details|slides|price\s+list|catalog(?:ue)?)\b",
    r"(?:i|we)(?:'ll|\s+will|\s+am\s+going\s+to|'m\s+going\s+to|\s+are\s+going\s+to)\s+"
    r"(?:call|phone|ring|email|e-mail|text|write|visit|message|dm)\b",
]

WANT = (
    r"(?:i|we)(?:\s+(?:really\s+|would\s+really\s+|just\s+|also\s+|do\s+)?(?:want|wanna|"
    r"would\s+like|would\s+love|hope|wish|am\s+hoping|was\s+hoping)|'d\s+(?:really\s+)?"
    r"(?:like|love)|'m\s+hoping)\b|id\s+like\b|hoping\s+to\b|hop(?:e|ing)\s+(?:that\s+)?"
    r"(?=(?:they|he|she)(?:'ll|\s+will|'d|\s+would)\b)"
)
# What follows "I want": "them to sign" (their step), or "a meeting" (a commitment noun).
WANT_OBJECT = re.compile(
    rf"\s*(?:(?P<who>{WHO})(?:\s+to|'ll|\s+will|'d|\s+would)\s+(?P<verb>[a-z]+(?:\s+[a-z]+)?)"
    rf"|(?P<noun>(?:a|an|the|"
    rf"their|his|her|some|one|\d+)\s+(?:[\w'$-]+\s+){{0,4}}?{COMMIT_NOUN})\b)"
)


CUE_GROUPS: tuple[tuple[str, list[str]], ...] = (
    ("want", [WANT]),
    ("persuade", _PERSUADE),
    ("nv", _NOT_VERIFIABLE),
    ("aimless", _AIMLESS),
    ("learn", _LEARN),
    ("tell", _TELL),
    ("action", _ACTION),
    ("rep", _REP_ONLY),
)
# Common words that never open a cue: skipping them saves trying every branch there.
NOT_A_CUE_HEAD = (
    r"the|a|an|to|and|of|for|on|in|by|at|with|their|our|his|her|its|this|is|are|it|they|them|"
    r"from|or|as|next|new|more|who|what|which|how|why|when|if|whether|that|my"
)
_CUE_START = rf"(?<![\w'-])(?!(?:{NOT_A_CUE_HEAD})\b)"

# --- Fast scanning ----------------------------------------------------------------------
# CPython's re tries every branch of an alternation at every word start. Regrouping the
# branches by first letter, "c(?:onvince...|heck in...)", lets it skip the other letters in
# one step each (about twice as fast). An empty marker group closing each branch names its
# kind. Branch order within a letter is kept, so leftmost-first matching is unchanged.
_LOOKBEHIND = re.compile(r"\(\?<[!=](?:[^()\\]|\\.)*\)")
_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|.", re.DOTALL)  # an escape or a class is one token


def _split_top_level(src: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for token in _TOKEN.finditer(src):
        depth += (token.group() == "(") - (token.group() == ")")
        if token.group() == "|" and depth == 0:
            parts.append(src[start : token.start()])
            start = token.end()
    return [*parts, src[start:]]


def _group_end(src: str) -> int:
    depth = 0
    for token in _TOKEN.finditer(src):
        depth += (token.group() == "(") - (token.group() == ")")
        if depth == 0:
            return token.start()
    raise ValueError(f"unbalanced group in {src!r}")


def _literal_first(branch: str) -> list[str]:
    """'(?:a|b)c' -> ['ac', 'bc'], '(?:x)?y' -> ['xy', 'y'], until each starts with a letter."""
    if not branch.startswith("(?:"):
        return [branch]
    end = _group_end(branch)
    inner, rest = branch[3:end], branch[end + 1 :]
    optional = rest.startswith("?")
    rest = rest[1:] if optional else rest
    expanded = [out for alt in _split_top_level(inner) for out in _literal_first(alt + rest)]
    return expanded + (_literal_first(rest) if optional else [])


def _by_first_letter(groups: tuple[tuple[str, list[str]], ...]) -> tuple[str, dict[str, str]]:
    branches: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for kind, alternatives in groups:
        for alternative in (alt for whole in alternatives for alt in _split_top_level(whole)):
            behind = []
            while leading := _LOOKBEHIND.match(alternative):
                behind.append(leading.group())
                alternative = alternative[leading.end() :]
            for branch in _literal_first(alternative):
                first, rest = branch[0], branch[1:]
                if not first.isalnum() or rest[:1] in {"?", "*", "+", "{"}:
                    raise ValueError(f"cannot index by first letter: {branch!r}")
                marker = f"k{len(kinds)}"
                kinds[marker] = kind
                moved = "".join(f"{b[:-1]}{first})" for b in behind)  # now after the letter
                branches.setdefault(first, []).append(f"{moved}{rest}(?P<{marker}>)")
    body = "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in branches.items())
    return body, kinds


_CUE_BODY, CUE_KINDS = _by_first_letter(CUE_GROUPS)
# Every cue, scanned once per objective at word starts; ``CUE_KINDS[m.lastgroup]`` is the
# kind, and the order of CUE_GROUPS is the precedence when two kinds start at one word.
# tests/domain/test_objective.py checks it finds exactly what a plain alternation finds.
CUE_PATTERN = re.compile(_CUE_START + "(?:" + _CUE_BODY + ")")


# A goal after these is a fallback (a minimum acceptable outcome), not the objective.
FALLBACK_MARKER = re.compile(
    r"\b(?:if|otherwise|failing\s+that|at\s+(?:the\s+)?(?:very\s+)?(?:least|minimum)|or\s+else|"
    r"unless|in\s+case)\b"
)

NEGATED_BEFORE = re.compile(
    r"\b(?:not|no|never|without|avoid|avoiding|don't|dont|do\s+not|won't|will\s+not|stop|"
    r"instead\s+of|rather\s+than|no\s+need\s+to|isn't|not\s+about)"
    r"(?:\s+(?:going\s+to|trying\s+to|try\s+to|to|be|any|more|hard|just|a|the|gonna|too|"
    r"even|really|need\s+to|have\s+to|want\s+to|\w+ing))*\s*$"
)

# Cheap pre-check: most objectives contain no negation at all.
ANY_NEGATOR = re.compile(
    r"\b(?:not|no|never|without|avoid\w*|don't|dont|won't|stop|instead|rather|isn't)\b"
)

PREFIX = re.compile(
    r"\s*(?:[-*+>#]+|\d{1,2}[.)])?\s*(?:(?:the\s+)?(?:goal|objective|aim|obj|purpose|target|"
    r"outcome|plan|what|why|call\s+objective|meeting\s+objective|objective\s+for\s+(?:this|the)"
    r"\s+\w+)\s*[:=-]+\s*)?"
)

# Where a verb's object ends: punctuation, a dash or a conjunction.
_OBJECT_END = r"[.;!?,\n]|\s-\s|\b(?:and|then|so|but|because|while|plus|also|in\s+order\s+to)\b"
OBJECT_END = re.compile(_OBJECT_END)
# "Mr. Lee" and "e.g." do not end a sentence.
_NOT_ABBREVIATION = (
    r"(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bdr)(?<!\bst)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)"
)

# Learning with an object this generic names nothing specific to find out.
_GENERIC_NOUN = (
    r"(?:business|company|account|organi[sz]ation|situation|needs?|goals?|world|operations?|"
    r"plans?|priorities|challenges?|pain(?:\s+points?)?|background|history|story|team|setup|"
    r"set-up|requirements|wants?|interests?|motivations?|objectives?|concerns?|thoughts?|"
    r"feelings?|perspective|views?|mindset|culture|strategy|vision|family|people|industry|"
    r"market|firm|practice|shop|store|office|role|job|day|week|season|year)"
)
VAGUE_OBJECT = re.compile(
    r"\s*(?:"
    r"(?:(?:a\s+(?:bit|little)\s+|some\s+|much\s+)?more\s+)?(?:(?:all|everything|what\s+(?:i|we)"
    r"\s+can)\s+)?about\s+(?!(?:who|what|why|when|where|which|how|whether|if)\b)"
    r"[\w'.&-]+(?:\s+[\w'.&-]+){0,3}"
    r"|(?:a\s+(?:bit|little)\s+|some\s+)?more(?:\s+(?:info|information|details))?"
    r"|(?:them|him|her|it|they|us|the\s+(?:account|client|customer|prospect|company|business|"
    r"contact|buyer|family|team))"
    r"|(?:(?:their|his|her|its|the|this|our)\s+)?(?:current\s+|overall\s+|general\s+|whole\s+|"
    r"day-to-day\s+|business\s+|company's\s+)?" + _GENERIC_NOUN + r"(?:\s+and\s+\w+)?"
    r"|[a-z][\w'-]*(?:'s)?\s+" + _GENERIC_NOUN + r"|"
    r"(?:how|what)\s+(?:things|everything|it|they|he|she|business|life|the\s+\w+)\s+(?:is|are|"
    r"'s|'re|was|were)\s+(?:going|doing|up\s+to)"
    r"|what's\s+(?:new|up|going\s+on|happening)|what\s+(?:is\s+)?(?:new|happening)"
    r"|what\s+(?:they|he|she)\s+(?:do|does|think|thinks|need|needs|want|wants|are\s+up\s+to)"
    r"|where\s+things\s+(?:are|stand)|how\s+(?:they|he|she)\s+(?:are|is|feel|feels)"
    r"|(?:if|whether)\s+(?:they|he|she)\s+(?:have|has|need|needs|want|wants)\s+any(?:thing)?"
    r"(?:\s+\w+)?|(?:if|whether)\s+(?:there\s+(?:is|'s|are)\s+)?anything(?:\s+[\w']+){0,4}"
    r"|(?:if|whether)\s+(?:they're|they\s+are|he's|she's)\s+(?:interested|ok|okay|happy|good)"
    r"|(?:where\s+(?:they|we)\s+(?:are|stand))"
    r"|(?:if|whether)\s+(?:you|they|he|she)\s+(?:had|have|has|got)\s+(?:a\s+)?(?:chance|time|"
    r"a\s+minute)\s+to\s+(?:look|read|review|go\s+over)(?:\s+[\w'-]+){0,6}"
    r")?(?:\s+(?:better|a\s+bit|in\s+general|generally|overall|today|first|now|more|"
    r"at\s+all|right\s+now|this\s+time|on\s+this\s+call|as\s+a\s+(?:person|company)|"
    r"personally))*\s*(?=" + _OBJECT_END + r"|\s*$)"
)

COORDINATOR = re.compile(
    r"\b(?:and|then|also|plus|as\s+well\s+as|additionally)\b|[;!?\n]|"
    + _NOT_ABBREVIATION
    + r"\.(?=\s)"
)
# What may sit between a coordinator and a second goal for that goal to open its own clause.
CLAUSE_OPENER = re.compile(
    r"[\s,:-]*(?:(?:i|we)(?:'ll|'d|\s+will|\s+also|\s+should|\s+must|\s+need\s+to|"
    r"\s+have\s+to|\s+want\s+to|\s+would\s+like\s+to|'d\s+like\s+to|\s+can)*\s+)?"
    r"(?:(?:also|then|try\s+to|need\s+to|want\s+to|have\s+to|to|please|ideally|"
    r"hopefully|and)[\s,]+)*"
)
QUESTION_START = re.compile(
    r"(?:what|who|whom|whose|which|when|where|why|how|is|are|does|do|did|will|would|can|could|"
    r"has|have|should|any)\b"
)
SENTENCE_BREAK = re.compile(_NOT_ABBREVIATION + r"[.!?;]+(?=\s|$)|\n+")
VAGUE_QUESTION = re.compile(
    r"(?:how\s+(?:are|is|'s|have|has)\s+(?:things|everything|it|business|they|he|she|the\s+\w+)"
    r"(?:\s+been)?\s+(?:going|doing)|any\s+(?:questions|news|updates?|thoughts|changes)|"
    r"what's\s+(?:new|up|happening)|anything\s+(?:new|else|changed))\b[\w\s',]*\??"
)
# Where the object of a tell or rep-only verb ends, for building a rewrite.
SUGGEST_OBJECT_END = re.compile(
    r"[.;!?,\n]|\s-\s|\b(?:so|but|because|while|in\s+order\s+to|"
    r"to\s+(?:get|see|find|learn|book|set|ask|make|show|help|win|close|convince|prove))\b"
)

# --- Rewrites -------------------------------------------------------------------------
# Nouns for people on the buying side, so "the new CFO" is a party and "the upgrade" is not.
ROLE = (
    r"(?:clients?|customers?|buyers?|sellers?|owners?|managers?|directors?|team|committee|board|"
    r"cfo|ceo|coo|cto|cio|vp|gm|founders?|partners?|family|couple|group|leaders?|lead|head|"
    r"admin|assistant|officers?|president|principals?|staff|tenants?|landlord|homeowners?|"
    r"parents?|spouse|wife|husband|decision[\s-]makers?|champion|users?|prospects?|contact|"
    r"coordinator|planner|agents?|broker|reps?|engineers?|chair|members?|employees|hr|"
    r"procurement|finance|purchasing|legal|ops|superintendent|dean|doctor|dentist|secretary|"
    r"treasurer|trustees?|residents?|guests?|fans?|holders?|attendees?|organi[sz]er|"
    r"department|council|execs?|executives?|leadership)"
)
# Applied to the text as typed: names are recognised by their capital letter.
PARTY = re.compile(
    r"(?P<who>(?i:them|him|her|us)\b|(?:[Mm]rs?|[Mm]s|[Dd]r)\.?\s+[A-Z][\w'-]*"
    r"|(?i:the\s+(?:[\w'-]+\s+){0,2}" + ROLE + r")\b|(?:the|The)\s+[A-Z][\w'-]+"
    r"|[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
)
PARTY_LEAD_IN = re.compile(r"[\w'-]+\s+(?:(?:to|with)\s+)?")
TRAILING_RECIPIENT = re.compile(r"\s+(?:to|with|for)\s+(?=\S)")
NAME_STOPWORDS = frozenset(
    {"I", "We", "Our", "The", "My", "Their", "A", "An", "It", "This", "That", "Friday"}
)
POSSESSIVE = re.compile(r"\b(?P<poss>their|his|her)\b")
OBJECTION_KIND = re.compile(
    r"\s(?!(?:their|his|her|the|any|all|every)\b)(?P<kind>[\w-]+)\s+objection"
)
TO_VERB_PHRASE = re.compile(r"\s*(?:to|into)\s+(?P<vp>[a-z].*)")
CLAIM_INTRO = re.compile(r"\b(?P<wh>why|that|how)\s+(?P<claim>\S.*)")
HAS_VERB = re.compile(
    r"\b(?:is|are|was|were|will|would|can|could|beats?|saves?|costs?|works?|wins?|has|have|"
    r"does|do|pays?|handles?|fits?|makes?|gets?)\b"
)
COMPARATIVE = re.compile(
    r"(?P<subject>.+?)\s+(?:is|are)\s+(?:the\s+|a\s+|far\s+|much\s+)?(?:better|best|smarter|"
    r"superior|right|cheaper|faster|stronger|safer|better\s+value)\b"
)
LEADING_PREPOSITIONS = re.compile(
    r"(?:\s*(?:to\s+them|about|on|through|over|for|of|with|up|out|off|the\s+(?:value|benefits?|"
    r"idea|advantages?|merits)\s+of|all\s+about)\b)*\s*"
)
TRAILING_JOINER = re.compile(r"(?:\s+(?:and|then|also|plus|but|or))+\s*$")
# Verb prefixes that decide which rewrite template fits.
DELIVERABLE_PREFIXES = (
    "send", "resend", "email", "e-mail", "mail", "fax", "drop", "deliver", "forward", "submit",
    "provid", "share", "upload", "prepar", "draft",
)  # fmt: skip
EXPLAIN_PREFIXES = (
    "explain", "educat", "walk", "go", "run", "review", "present", "discuss", "talk", "chat",
    "speak", "tell", "inform", "let", "update", "clarif",
)  # fmt: skip
PERSUADE_TO_PREFIXES = ("convinc", "persuad", "push", "pressur", "talk", "get", "make", "help")
AIMLESS_WHO = re.compile(r"\b(?:with|to|ping|nudge|poke|call|email|text|for)\s+", re.IGNORECASE)
WANT_THEM_TO = re.compile(
    r"\s+(?:to\s+(?:get|have)\s+)?(?P<who>them|him|her|the\s+[\w'-]+(?:\s+[\w'-]+)?|"
    r"[a-z][\w'-]*)\s+to\s+(?P<vp>[a-z].*)"
)
SEE_VERB_START = re.compile(SEE_VERBS + r"\b")
DETERMINER_START = re.compile(r"\s*(?:a|an|the|their|his|her|some|one|\d+)\b")


# --- Words of the rewrites and messages -----------------------------------------------
@dataclass(frozen=True, slots=True)
class Party:
    """The other party in the forms a sentence needs: they / them / their / have."""

    subj: str
    obj: str
    poss: str
    singular: bool

    def fill(self, template: str) -> str:
        one = self.singular
        return template.format(
            subj=self.subj,
            obj=self.obj,
            poss=self.poss,
            have="has" if one else "have",
            plan="plans" if one else "plan",
            use="uses" if one else "use",
        )


THEY = Party("they", "them", "their", singular=False)
PRONOUNS = {
    "them": THEY,
    "they": THEY,
    "us": THEY,
    "their": THEY,
    "him": Party("he", "him", "his", singular=True),
    "his": Party("he", "him", "his", singular=True),
    "her": Party("she", "her", "her", singular=True),
}
FALLBACK_REWRITE = "Find out what would have to be true for them to move forward"


def party(name: str) -> Party:
    """A party from a pronoun or a name as typed ("Karen", "the Hendersons", "Mr. Lee")."""
    name = name.strip()
    if name.lower() in PRONOUNS:
        return PRONOUNS[name.lower()]
    words = name.split()
    plural = words[0].lower() == "the" and words[-1].endswith("s") and not name.endswith("ss")
    return Party(name, name, f"{name}'" if plural else f"{name}'s", singular=not plural)


# Finding messages; {phrase} is the offending phrase as typed.
MESSAGES = {
    "missing": "There is no objective yet.",
    "nothing_verifiable": "Nothing here says what you will find out or what they will agree to.",
    "tell_mode": "'{phrase}' is tell mode: it says what you will say, not what you will learn "
    "or what they will commit to.",
    "rep_only_actor": "'{phrase}' is something only you do; it needs no step from them, so it "
    "can only end in a continuation.",
    "not_verifiable": "'{phrase}' could not be answered yes or no after the interaction.",
    "aimless": "'{phrase}' has no aim: it names nothing to learn and no step for them to take.",
    "vague_aimless": "'{phrase}' names nothing specific to find out.",
    "multiple_objectives": "'{phrase}' starts a second objective; keep one per interaction and "
    "move the other to your learning questions.",
    "want_framing": "'{phrase}' centres the objective on your wish; say what you need to learn "
    "or what they will do.",
}

# Example objectives offered when an objective has no aim, by playbook interaction type.
# Each names something specific to learn or a step to agree to, and checks as good itself.
TYPE_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("renew", "Learn whether {subj} {plan} to renew and what would make {obj} upgrade"),
    ("upgrade", "Learn whether {subj} {plan} to renew and what would make {obj} upgrade"),
    ("stall", "Learn what stopped {obj} moving forward after the last step"),
    ("proposal", "Get {obj} to agree to a dated meeting to go through the proposal"),
    ("cold", "Get {obj} to agree to a 20-minute meeting next week"),
    ("first", "Get {obj} to agree to a 20-minute meeting next week"),
    ("qualif", "Find out whether {subj} {have} a budget and a date for this decision"),
    ("discovery", "Learn what {subj} would change first in the way {poss} team works today"),
    ("needs", "Learn what {subj} would change first in the way {poss} team works today"),
    ("back", "Get a yes or no from {obj}, or learn which objection is in the way"),
    ("ticket", "Get {obj} to buy tickets for a named game"),
)
CHANNEL_EXAMPLES: dict[str, str] = {
    "email": "Get a reply from {obj} saying whether the budget for this quarter is approved",
    "text": "Get a reply from {obj} saying whether the budget for this quarter is approved",
    "meeting": "Get {obj} to agree to a dated next step before you leave",
    "video": "Get {obj} to agree to a dated next step before the call ends",
}
DEFAULT_EXAMPLE = "Learn whether {subj} {have} a budget approved for this quarter"
