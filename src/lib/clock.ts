/** What "now" is for a service: the system time in the app, a fixed or moving time in tests. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
