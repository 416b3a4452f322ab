"""English stop words: function words and very common, low-content words (lower case).

Written for fastpipe: articles, pronouns, auxiliaries and modals, prepositions,
conjunctions, determiners and quantifiers, common adverbs, the contraction clitics as the
tokenizer splits them ("n't", "'s", "'re", ...), and the apostrophe-less spellings of them.
"""

_WORDS = """
a an the

i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
one oneself who whom whose which what whatever whoever whomever whichever that this these
those

am is are was were be been being have has had having do does did doing done
will would shall should can could may might must ought need ca wo sha ai

n't nt not no nor 's 'm 're 've 'll 'd s m re ve ll d

about above across after afterwards against along alongside amid amidst among amongst
around as at before behind below beneath beside besides between beyond by despite down
during except for from in inside into like near of off on onto opposite out outside over
past per since than through throughout till to toward towards under underneath unless
unlike until up upon via with within without

and but or so yet if then else because although though while whereas whether either
neither both also too

all any anybody anyone anything anywhere each every everybody everyone everything
everywhere few many much more most less least other others another some somebody someone
something somewhere somehow sometime sometimes several such own same enough none nobody
nothing nowhere

here there where when why how again already always ever never often once only just quite
rather really almost even still very well now soon thus hence therefore however indeed
perhaps please instead otherwise meanwhile moreover namely nevertheless nonetheless

hereafter hereby herein hereupon thereafter thereby therein thereupon whereafter whereby
wherein whereupon wherever whenever

first last next former latter top bottom front back side part

become becomes became becoming seem seems seemed seeming get gets got getting go goes went
gone make made say said see give take put keep call show

two three four five six seven eight nine ten eleven twelve fifteen twenty forty fifty
sixty hundred
"""

STOP_WORDS = frozenset(_WORDS.split())
