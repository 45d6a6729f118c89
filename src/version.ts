// Single source of meshctl's version (written into plans and state files). Kept in sync with
// package.json by a unit test rather than read at run time, so start-up reads no extra file.
export const meshctlVersion = '0.1.0';
