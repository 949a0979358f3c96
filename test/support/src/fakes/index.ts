/** Recording fakes of the upstream model APIs (unreachable here), for the Messages gateway's tests. */
export { startFakeAnthropic, FAKE_ANTHROPIC_KEY } from './anthropic.js';
export type { FakeAnthropic, FakeAnthropicOptions, MirroredUpload } from './anthropic.js';
export { startFakeBedrock, FAKE_AWS_KEY } from './bedrock.js';
export type { BedrockRequest, FakeBedrock, FakeBedrockOptions } from './bedrock.js';
export { startFakeVertex } from './vertex.js';
export type { FakeVertex, FakeVertexOptions, VertexRequest } from './vertex.js';
export { verifySigV4 } from './sigv4-verify.js';
export type { SigV4Input, SigV4Key, SigV4Result } from './sigv4-verify.js';
export { encodeChunk, encodeException } from './eventstream.js';
export { fakeMessage, sseFrame, streamEvents } from './messages.js';
export type { RecordedRequest } from './recording.js';
