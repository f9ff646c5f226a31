import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * bcrypt reads only 72 bytes, and a Persian letter takes 2 bytes in UTF-8, so a long Persian password would be
 * silently truncated. We pre-hash with HMAC-SHA256 keyed by a pepper (derived from SECRET_KEY): the 44-character
 * base64 digest always fits, every byte of the password counts, and a stolen table alone cannot be brute-forced.
 */
export class PasswordHasher {
  private readonly pepper: Buffer;

  constructor(
    secretKey: string,
    private readonly cost: number,
  ) {
    this.pepper = createHmac('sha256', secretKey).update('sokhan/password-pepper/v1').digest();
  }

  private prehash(password: string): string {
    return createHmac('sha256', this.pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(this.prehash(password), this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(this.prehash(password), hash);
  }
}
