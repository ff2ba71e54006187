/** Record headers as kafkajs gives and takes them: a value is bytes or a string, or a list of them. */
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type Headers = Record<string, HeaderValue>;
