import { scramClientFinal, scramClientFirst } from '../src/connectors/rdkafka/describe-configs';

// RFC 7677 section 3: the SCRAM-SHA-256 exchange of user "user", password "pencil"
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';

describe('SCRAM client exchange (rdkafka DescribeConfigs)', () => {
  const first = scramClientFirst('user', CLIENT_NONCE);

  it('builds the client-first-message of the RFC 7677 vector', () => {
    expect(first.message).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(first.bare).toBe('n=user,r=rOprNGfwEbeRWgbNEkqO');
  });

  it('computes the client proof and the server signature of the RFC 7677 vector', () => {
    const { clientFinal, serverSignature } = scramClientFinal('sha256', 'pencil', first.bare, SERVER_FIRST);
    expect(clientFinal).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    // the RFC's server-final-message is v=<this>
    expect(serverSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('a wrong password gives a different proof', () => {
    const { clientFinal } = scramClientFinal('sha256', 'pencil2', first.bare, SERVER_FIRST);
    expect(clientFinal).not.toContain('p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  });

  it('SHA-512 derives a 64-byte proof', () => {
    const { clientFinal } = scramClientFinal('sha512', 'pencil', first.bare, SERVER_FIRST);
    expect(Buffer.from(clientFinal.split(',p=')[1]!, 'base64')).toHaveLength(64);
  });

  it('refuses a server nonce that does not extend ours, and a server error', () => {
    expect(() =>
      scramClientFinal('sha256', 'pencil', first.bare, 'r=someoneElse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
    ).toThrow(/nonce/);
    expect(() => scramClientFinal('sha256', 'pencil', first.bare, 'e=unknown-user')).toThrow(/unknown-user/);
  });

  it('escapes , and = in the user name', () => {
    expect(scramClientFirst('a=b,c', 'n').bare).toBe('n=a=3Db=2Cc,r=n');
  });
});
