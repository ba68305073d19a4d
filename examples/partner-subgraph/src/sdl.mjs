import { graphql } from 'graphql';

import { schema } from './schema.mjs';

// The SDL this subgraph serves as `_service { sdl }`, which is what
// composition tools consume.
export async function serviceSdl() {
  const result = await graphql({ schema, source: '{ _service { sdl } }' });
  if (result.errors?.length) {
    throw new AggregateError(result.errors, 'could not read _service.sdl');
  }
  return result.data._service.sdl;
}
