/** The tablestore SDK ships no types; lib/store/sdk.ts types the slice the store uses. */
declare module 'tablestore';
