"""What schemathesis needs to fuzz govgraph: values for the federation scalar `_Any`, and a check
that fails on server errors (HTTP 5xx) only, since a GraphQL error in a 200 answer is the
service doing its job."""

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

TYPES = [
    "Country", "Partnership", "WorkingGroup", "Event", "Person", "Organisation",
    "Deliverable", "Topic", "Source", "Relationship", "Planet",
]


def field(name, value):
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


# An entity representation: a type name and one key, any text.
schemathesis.graphql.scalar(
    "_Any",
    st.builds(
        lambda typename, key, value: nodes.Object(
            [field("__typename", nodes.String(typename)), field(key, nodes.String(value))]
        ),
        st.sampled_from(TYPES),
        st.sampled_from(["id", "slug", "code"]),
        st.text(max_size=24),
    ),
)


@schemathesis.check
def status_not_5xx(ctx, response, case):
    """Fails on a server error, whatever the body."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code} from the server")
