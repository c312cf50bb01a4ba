import { Body, Controller, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { Public } from '../../src/auth/access.decorator';
import { IsEmail, IsInt, IsString, MaxLength, Min, ValidateNested } from 'class-validator';

class EchoAddressDto {
  @IsString()
  @MaxLength(100)
  city: string;
}

class EchoDto {
  @IsEmail()
  email: string;

  @IsInt()
  @Min(1)
  count: number;

  @ValidateNested()
  @Type(() => EchoAddressDto)
  address: EchoAddressDto;
}

/** A test-only route that exercises the global pipeline (body parsing, validation, problem+json). */
@Controller('test/echo')
class EchoController {
  @Post()
  @Public()
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }
}

@Module({ controllers: [EchoController] })
export class EchoModule {}
