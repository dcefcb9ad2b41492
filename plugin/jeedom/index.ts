/** The Jeedom side of jeelinky: JSON-RPC transport and wire decoding, typed client, name resolution, virtual device, history writer. */
export * from './errors.js';
export * from './rpc.js';
export * from './wire.js';
export * from './client.js';
export * from './names.js';
export * from './virtual.js';
export * from './history.js';
