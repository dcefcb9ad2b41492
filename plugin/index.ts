/** jeelinky as a library: everything a Node script needs, nothing that prints. */
export * from './errors.js';
export * from './secrets.js';
