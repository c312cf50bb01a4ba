import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CustomerTokenDto {
  @ApiProperty({ description: 'A sandbox customer id from GET /dev/customers' })
  @IsUUID()
  customerId: string;
}
