export const FIRM_REGISTER = Symbol('FIRM_REGISTER');
