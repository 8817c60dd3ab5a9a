/**
 * The word lists of the TPC-H specification (clause 4.2.2.13 and 4.2.3): part types, containers
 * and colors, market segments, priorities, shipping modes and instructions, nations and regions,
 * and the weighted vocabulary and grammar of the comment text.
 */

function cross(a: readonly string[], b: readonly string[]): string[] {
  return a.flatMap((x) => b.map((y) => `${x} ${y}`));
}

export const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'] as const;

/** [n_name, n_regionkey] in n_nationkey order. */
export const NATIONS: readonly (readonly [string, number])[] = [
  ['ALGERIA', 0],
  ['ARGENTINA', 1],
  ['BRAZIL', 1],
  ['CANADA', 1],
  ['EGYPT', 4],
  ['ETHIOPIA', 0],
  ['FRANCE', 3],
  ['GERMANY', 3],
  ['INDIA', 2],
  ['INDONESIA', 2],
  ['IRAN', 4],
  ['IRAQ', 4],
  ['JAPAN', 2],
  ['JORDAN', 4],
  ['KENYA', 0],
  ['MOROCCO', 0],
  ['MOZAMBIQUE', 0],
  ['PERU', 1],
  ['CHINA', 2],
  ['ROMANIA', 3],
  ['SAUDI ARABIA', 4],
  ['VIETNAM', 2],
  ['RUSSIA', 3],
  ['UNITED KINGDOM', 3],
  ['UNITED STATES', 1],
];

export const P_TYPES = cross(
  cross(
    ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'],
    ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'],
  ),
  ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'],
);

export const P_CONTAINERS = cross(
  ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'],
  ['CASE', 'BOX', 'BAG', 'JAR', 'PACK', 'PKG', 'CAN', 'DRUM'],
);

/** p_name is five distinct colors. */
export const COLORS = (
  'almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished ' +
  'chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick ' +
  'floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory khaki lace ' +
  'lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint misty moccasin ' +
  'navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple red rose rosy ' +
  'royal saddle salmon sandy seashell sienna sky slate smoke snow spring steel tan thistle tomato ' +
  'turquoise violet wheat white yellow'
).split(' ');

export const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'];
export const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
export const SHIP_INSTRUCTIONS = ['DELIVER IN PERSON', 'COLLECT COD', 'TAKE BACK RETURN', 'NONE'];
export const SHIP_MODES = ['REG AIR', 'AIR', 'RAIL', 'TRUCK', 'MAIL', 'FOB', 'SHIP'];

/** Characters of s_address / c_address (dbgen's alphanumeric set). */
export const ADDRESS_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,';

/** A weighted list written as `word:weight|word:weight|...` (weight 1 when omitted). */
export type Weighted = readonly (readonly [string, number])[];

function weighted(spec: string): Weighted {
  return spec.split('|').map((entry) => {
    const m = /^(.*):(\d+)$/.exec(entry);
    return m ? ([m[1]!, Number(m[2])] as const) : ([entry, 1] as const);
  });
}

export const NOUNS = weighted(
  'packages:40|requests:40|accounts:40|deposits:40|foxes:20|ideas:20|theodolites:20|pinto beans:20|' +
    'instructions:20|dependencies:10|excuses:10|platelets:10|asymptotes:10|courts:5|dolphins:5|multipliers|' +
    'sauternes|warthogs|frets|dinos|attainments|somas|Tiresias|patterns|forges|braids|frays|warhorses|' +
    'dugouts|notornis|epitaphs|pearls|tithes|waters|orbits|gifts|sheaves|depths|sentiments|decoys|realms|' +
    'pains|grouches|escapades|hockey players',
);
export const VERBS = weighted(
  'sleep:20|wake:20|are:20|cajole:20|haggle:20|nag:10|use:10|boost:10|affix:5|detect:5|integrate:5|' +
    'maintain|nod|was|lose|sublate|solve|thrash|promise|engage|hinder|print|x-ray|breach|eat|grow|' +
    'impress|mold|poach|serve|run|dazzle|snooze|doze|unwind|kindle|play|hang|believe|doubt',
);
export const ADJECTIVES = weighted(
  'special:20|pending:20|unusual:20|express:20|furious|sly|careful|blithe|quick|fluffy|slow|quiet|' +
    'ruthless|thin|close|dogged|daring|brave|stealthy|permanent|enticing|idle|busy|regular:50|final:40|' +
    'ironic:40|even:30|bold:20|silent:10',
);
export const ADVERBS = weighted(
  'sometimes|always|never|furiously:50|slyly:50|carefully:50|blithely:40|quickly:30|fluffily:20|slowly|' +
    'quietly|ruthlessly|thinly|closely|doggedly|daringly|bravely|stealthily|permanently|enticingly|idly|' +
    'busily|regularly|finally|ironically|evenly|boldly|silently',
);
export const PREPOSITIONS = weighted(
  'about:50|above:50|according to:50|across:50|after:50|against:40|along:40|alongside of:30|among:30|' +
    'around:20|at:10|atop|before|behind|beneath|beside|besides|between|beyond|by|despite|during|except|' +
    'for|from|in place of|inside|instead of|into|near|of|on|outside|over|past|since|through|throughout|' +
    'to|toward|under|until|up|upon|whithout|with|within',
);
export const AUXILIARIES = weighted(
  'do|may|might|shall|will|would|can|could|should|ought to|must|will have to|shall have to|' +
    'could have to|should have to|must have to|need to|try to',
);
export const TERMINATORS = weighted('.:50|;|:|?|!|--');

/** Sentence shapes: N noun phrase, V verb phrase, P prepositional phrase, T terminator. */
export const GRAMMAR = weighted('N V T:3|N V P T:3|N V N T:3|N P V N T:1|N P V P T:1');
/** Noun phrases: N noun, J adjective, D adverb; "J," is an adjective followed by a comma. */
export const NOUN_PHRASES = weighted('N:10|J N:20|J, J N:10|D J N:50');
/** Verb phrases: V verb, X auxiliary, D adverb. */
export const VERB_PHRASES = weighted('V:30|X V:1|V D:40|X V D:1');
