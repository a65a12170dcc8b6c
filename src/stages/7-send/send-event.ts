/** What the sender reports for stats and logs. Carries no token, secret or item data. */
export type SendEvent =
  /** One HTTP exchange finished; status 0 when the network failed before an answer. */
  | { readonly type: 'request'; readonly batch: number; readonly status: number; readonly ms: number; readonly items: number }
  /** A request will be sent again after `delayMs`; `attempt` is the 1-based retry number. */
  | { readonly type: 'retry'; readonly batch: number; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  /** A new access token came into use. */
  | { readonly type: 'token' }
  /** The token endpoint will be asked again after `delayMs`; `url` is the token URL without credentials or query. */
  | {
      readonly type: 'token-retry';
      readonly url: string;
      readonly attempt: number;
      readonly maxRetries: number;
      readonly delayMs: number;
      readonly reason: string;
    };
