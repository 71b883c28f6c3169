// Public surface of config: the settings schema and its loader.
export { type Config, loadConfig, SETTINGS } from './config.schema.js';
