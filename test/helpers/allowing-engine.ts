import type { Authenticator, ZapReply, ZapRequest } from "@zmq-auth/core"

/** An engine that allows everything with `userId`. */
export function allowing(userId: string): Pick<Authenticator, "authenticate"> {
  return {
    authenticate: async (request: ZapRequest): Promise<ZapReply> => ({
      requestId: request.requestId,
      statusCode: 200,
      statusText: "OK",
      userId,
    }),
  }
}
