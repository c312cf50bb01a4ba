import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CustomerTokenDto {
  @ApiProperty({ description: 'A sandbox customer id from GET /dev/customers' })
  @IsUUID()
  customerId: string;
}

/** A synthetic sandbox customer (GET /dev/customers; never a real person). */
export class SandboxCustomerView {
  @ApiProperty({ format: 'uuid', description: 'Also the `sub` of the tokens minted for them' })
  id!: string;

  @ApiProperty({ example: 'Sandbox Customer 0001' })
  name!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ description: 'How many sandbox accounts they hold' })
  accounts!: number;
}

export class SandboxCustomerList {
  @ApiProperty({ type: [SandboxCustomerView] })
  data!: SandboxCustomerView[];
}

/** POST /dev/customer-token: a customer JWT signed by the development key. */
export class DevCustomerTokenAnswer {
  @ApiProperty({ description: 'The customer JWT (send as a bearer token, or to POST /v1/customer/session)' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until it expires' })
  expiresIn!: number;

  @ApiProperty({ type: SandboxCustomerView })
  customer!: SandboxCustomerView;
}
