/** The Jeedom side of jeelinky: JSON-RPC client, name resolution, virtual device, history writer. */
export * from './errors.js';
export * from './client.js';
export * from './names.js';
export * from './virtual.js';
export * from './history.js';
