// Public surface of the errors module: the shared error base every other module throws.
export * from './app-error.js';
