// ILLUSTRATIVE DATA ONLY.
// Every maturity score and project below is fictional. The scores are not an
// official index and say nothing about any real government; the projects do
// not exist. They are here so the subgraph has something to return.

// Country code (ISO 3166-1 alpha-2) -> fictional GovTech maturity score.
// Countries not listed (for example UY) have no score and resolve to null.
export const maturityScores = new Map([
  ['SG', { value: 4.6, year: 2024, scale: '0-5 (fictional)' }],
  ['GB', { value: 4.3, year: 2024, scale: '0-5 (fictional)' }],
  ['KR', { value: 4.4, year: 2024, scale: '0-5 (fictional)' }],
  ['JP', { value: 3.9, year: 2024, scale: '0-5 (fictional)' }],
  ['IL', { value: 3.7, year: 2023, scale: '0-5 (fictional)' }],
  ['AE', { value: 3.8, year: 2023, scale: '0-5 (fictional)' }],
]);

// Working-group slug (as used by govgraph) -> fictional partner projects.
// Working groups not listed have no projects.
export const projectsByWorkingGroup = new Map([
  [
    'world-bank-cloud-computing',
    [
      {
        slug: 'sovereign-cloud-playbook',
        name: 'Sovereign Cloud Playbook',
        status: 'ACTIVE',
        leadCountryCode: 'JP',
      },
      {
        slug: 'shared-landing-zone-reference',
        name: 'Shared Landing Zone Reference Architecture',
        status: 'PLANNED',
        leadCountryCode: 'UY',
      },
      {
        slug: 'cloud-procurement-benchmark',
        name: 'Cloud Procurement Benchmark',
        status: 'COMPLETED',
        leadCountryCode: 'KR',
      },
    ],
  ],
  [
    'dgx-2022-ai',
    [
      {
        slug: 'ai-sandbox-exchange',
        name: 'Cross-border AI Sandbox Exchange',
        status: 'ACTIVE',
        leadCountryCode: 'SG',
      },
    ],
  ],
]);

export const allProjects = [...projectsByWorkingGroup.values()].flat();
