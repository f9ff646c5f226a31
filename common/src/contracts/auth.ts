import { z } from 'zod';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Persian letters are 2 bytes in UTF-8; bcrypt reads 72 bytes, so we pre-hash (see README). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const password = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX);

export const registerBodySchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  username: z
    .string()
    .trim()
    .min(3)
    .max(32)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  password,
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z.strictObject({
  login: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(PASSWORD_MAX),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: password,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export interface PublicUser {
  id: string;
  email: string;
  username: string;
  role: Role;
  createdAt: string;
}

export interface AuthResponse {
  user: PublicUser;
  token: string;
}
