// Loaded by path (the SDK bundles it into the workflow sandbox too): failure messages and stack traces
// can quote the data, so with encryption on they are moved into an encoded payload and encrypted as well.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
