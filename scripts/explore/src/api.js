// The explorer's GraphQL calls. Every request goes to the same origin's /graphql; nothing
// else is fetched. `pending()` counts the requests in flight (the test hooks poll it).

const ENDPOINT = '/graphql';

// The fields the explorer draws a node with, and a relationship with (its citations are
// shown in the side panel when it, or a node at either end, is selected).
const NODE_FIELDS = 'id kind name slug';
const RELATIONSHIP_FIELDS =
  'id predicate role validFrom validTo subject { id } object { id } ' +
  'citations { excerpt source { id name url publisher published } }';

// A failure the person should read: a GraphQL error (with its `extensions.code`), or an
// HTTP error, or the network failing.
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'ApiError';
    this.code = code || null;
  }
}

let inFlight = 0;
const listeners = new Set();

export function pending() {
  return inFlight;
}

// Calls `listener(count)` whenever the number of requests in flight changes.
export function onPendingChange(listener) {
  listeners.add(listener);
}

function setInFlight(count) {
  inFlight = count;
  for (const listener of listeners) listener(count);
}

// "CODE: message" for each GraphQL error, joined.
function describeErrors(errors) {
  return errors
    .map((error) => {
      const code = error.extensions && error.extensions.code;
      const limit = error.extensions && error.extensions.limit;
      return (code ? code + ': ' : '') + error.message + (limit ? ' (' + limit + ')' : '');
    })
    .join('; ');
}

// Sends one GraphQL operation; resolves to its `data`. Rejects with an ApiError when the
// answer carries errors (even with partial data: the explorer never draws half an answer
// silently) or the HTTP request fails.
export async function request(query, variables) {
  setInFlight(inFlight + 1);
  try {
    let response;
    try {
      response = await fetch(ENDPOINT, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json;q=0.9',
        },
        body: JSON.stringify({ query, variables }),
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new ApiError('The service could not be reached (' + error.message + ')', 'NETWORK');
    }
    const type = response.headers.get('content-type') || '';
    let body = null;
    if (type.includes('json')) {
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
    }
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      const first = body.errors[0];
      throw new ApiError(
        describeErrors(body.errors),
        (first.extensions && first.extensions.code) || 'HTTP_' + response.status,
      );
    }
    if (!response.ok) {
      throw new ApiError(
        'HTTP ' + response.status + ' ' + response.statusText + ' from ' + ENDPOINT,
        'HTTP_' + response.status,
      );
    }
    if (!body || typeof body.data !== 'object' || body.data === null) {
      throw new ApiError('The service answered without data', 'NO_DATA');
    }
    return body.data;
  } finally {
    setInFlight(inFlight - 1);
  }
}

// --- The operations -----------------------------------------------------------------------

// Nodes of every kind (or of `kinds`) matching `text`, best first.
export async function search(text, kinds) {
  const data = await request(
    `query ExploreSearch($text: String!, $kinds: [NodeKind!]) {
      search(text: $text, kinds: $kinds, first: 12) {
        edges { score snippet { text highlighted } node { ${NODE_FIELDS} } }
      }
    }`,
    { text, kinds: kinds && kinds.length ? kinds : null },
  );
  return data.search.edges;
}

// The nodes and relationships one hop around `id`, as the API answers them.
export async function neighbourhood(id, { predicates, kinds, asOf, limit }) {
  const data = await request(
    `query ExploreNeighbourhood($id: ID!, $predicates: [Predicate!], $kinds: [NodeKind!],
        $asOf: PartialDate, $limit: Int!) {
      neighbourhood(node: { id: $id }, depth: 1, predicates: $predicates, kinds: $kinds,
          asOf: $asOf, limit: $limit) {
        nodes { ${NODE_FIELDS} }
        relationships { ${RELATIONSHIP_FIELDS} }
        nodesLeftOut
      }
    }`,
    { id, predicates, kinds, asOf, limit },
  );
  return data.neighbourhood;
}

// The shortest paths between two nodes.
export async function paths(from, to, { maxHops, predicates, asOf }) {
  const data = await request(
    `query ExplorePaths($from: ID!, $to: ID!, $maxHops: Int!, $predicates: [Predicate!],
        $asOf: PartialDate) {
      paths(from: { id: $from }, to: { id: $to }, maxHops: $maxHops, predicates: $predicates,
          asOf: $asOf, first: 10) {
        length
        nodes { ${NODE_FIELDS} }
        relationships { ${RELATIONSHIP_FIELDS} }
      }
    }`,
    { from, to, maxHops, predicates, asOf },
  );
  return data.paths;
}

// The nodes with these IDs (null for an ID that names no node), at most 100 per request.
export async function nodesByIds(ids) {
  const found = [];
  for (let start = 0; start < ids.length; start += 100) {
    const data = await request(
      `query ExploreNodes($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`,
      { ids: ids.slice(start, start + 100) },
    );
    found.push(...data.nodes);
  }
  return found;
}

// Every relationship of each node of `ids` (held at `asOf`, with one of `predicates`), with
// the node at its other end: used to draw the relationships among the nodes a person placed.
// Resolves to a Map from each ID to its list of `{ node, relationship }`. Each node's list is
// read 100 at a time, up to `maxPerNode` relationships.
export async function relationshipsOf(ids, { predicates, asOf }, maxPerNode = 1000) {
  const query = `query ExploreLinks($ids: [ID!]!, $predicates: [Predicate!], $asOf: PartialDate,
      $after: String) {
    nodes(ids: $ids) {
      id
      relationships(predicates: $predicates, asOf: $asOf, first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { ${NODE_FIELDS} } relationship { ${RELATIONSHIP_FIELDS} } }
      }
    }
  }`;
  const result = new Map();
  // 20 nodes a request keeps the query's cost well under the service's limit.
  for (let start = 0; start < ids.length; start += 20) {
    const chunk = ids.slice(start, start + 20);
    const data = await request(query, { ids: chunk, predicates, asOf, after: null });
    for (const node of data.nodes) {
      if (!node) continue;
      const edges = [...node.relationships.edges];
      let info = node.relationships.pageInfo;
      while (info.hasNextPage && edges.length < maxPerNode) {
        const more = await request(query, { ids: [node.id], predicates, asOf, after: info.endCursor });
        const next = more.nodes[0] && more.nodes[0].relationships;
        if (!next) break;
        edges.push(...next.edges);
        info = next.pageInfo;
      }
      result.set(node.id, edges);
    }
  }
  return result;
}

// Everything the side panel shows about one node: its own fields (the kind's cheap scalar
// fields through inline fragments), identifiers and citations.
export const NODE_DETAILS_QUERY = `query ExploreNode($id: ID!) {
  node(id: $id) {
    __typename id kind slug name summary
    externalIds { scheme value }
    citations { excerpt source { id name url publisher published } }
    ... on Country { code alpha3 numericCode isoName shortName officialName region subregion }
    ... on Partnership { shortName established }
    ... on WorkingGroup { shortName }
    ... on Event { startsOn endsOn location edition format }
    ... on Person { honorific title }
    ... on Organisation { organisationKind shortName }
    ... on Deliverable { deliverableKind published url }
    ... on Source { sourceKind url publisher published licence }
  }
}`;

export async function nodeDetails(id) {
  const data = await request(NODE_DETAILS_QUERY, { id });
  return data.node;
}

// The years relationships start or end in, to size the time slider: [first, last] or null.
export async function yearRange() {
  const data = await request(
    `query ExploreYears {
      relationshipCounts(groupBy: [YEAR], filter: { dated: true }, first: 1000) { year count }
    }`,
    {},
  );
  const years = data.relationshipCounts
    .map((group) => group.year)
    .filter((year) => Number.isInteger(year));
  if (years.length === 0) return null;
  return [Math.min(...years), Math.max(...years)];
}

// The query "Open in GraphiQL" fills in for a node: the node, its fields and its
// relationships with their sources.
export const GRAPHIQL_NODE_QUERY = `# The node opened from the graph explorer (/explore).
query ExploreNode($id: ID!) {
  node(id: $id) {
    __typename
    id
    kind
    slug
    name
    summary
    ... on Country { code alpha3 isoName region subregion }
    ... on Event { startsOn endsOn location edition format }
    ... on Deliverable { deliverableKind published url }
    ... on Source { sourceKind url publisher published }
    externalIds { scheme value }
    citations { excerpt source { name url } }
    relationships(first: 50) {
      totalCount
      edges {
        predicate
        direction
        role
        validFrom
        validTo
        node { __typename id name }
        citations { excerpt source { name url } }
      }
    }
  }
}
`;

// The query "Open in GraphiQL" fills in for a relationship.
export const GRAPHIQL_RELATIONSHIP_QUERY = `# The relationship opened from the graph explorer (/explore).
query ExploreRelationship($id: ID!) {
  relationship(id: $id) {
    id
    predicate
    role
    validFrom
    validTo
    subject { __typename id name }
    object { __typename id name }
    citations { excerpt source { name url publisher published } }
  }
}
`;
