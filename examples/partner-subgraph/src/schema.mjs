import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

import { allProjects, maturityScores, projectsByWorkingGroup } from './data.mjs';

export const typeDefs = parse(/* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Query {
    "Every project this partner runs, across all working groups."
    partnerProjects: [Project!]!
  }

  # Country and WorkingGroup belong to govgraph; this subgraph only adds
  # fields to them, joined by the natural keys (ISO 3166-1 alpha-2 code, slug).
  # Their descriptions are left to govgraph.
  type Country @key(fields: "code") {
    code: String!
    "Illustrative GovTech maturity score; null when the partner has not scored the country."
    maturityScore: MaturityScore
  }

  "A fictional, illustrative GovTech maturity score. Not an official index."
  type MaturityScore {
    value: Float!
    year: Int!
    "Human-readable description of the range of value."
    scale: String!
  }

  type WorkingGroup @key(fields: "slug") {
    slug: String!
    "Projects run within the working group; empty when there are none."
    projects: [Project!]!
  }

  type Project {
    slug: String!
    name: String!
    status: ProjectStatus!
    "The country leading the project, resolved by govgraph."
    leadCountry: Country
  }

  enum ProjectStatus {
    PLANNED
    ACTIVE
    COMPLETED
  }
`);

export const resolvers = {
  Query: {
    partnerProjects: () => allProjects,
  },
  Country: {
    __resolveReference: ({ code }) => ({ code }),
    maturityScore: ({ code }) => maturityScores.get(code) ?? null,
  },
  WorkingGroup: {
    __resolveReference: ({ slug }) => ({ slug }),
    projects: ({ slug }) => projectsByWorkingGroup.get(slug) ?? [],
  },
  Project: {
    leadCountry: ({ leadCountryCode }) =>
      leadCountryCode ? { code: leadCountryCode } : null,
  },
};

export const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
