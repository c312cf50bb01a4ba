import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { REASON_CODE_KEYS, ReasonCode } from '../review.rules';

export class RequestedItemDto {
  @ApiProperty({ example: 'person.<id>.identity_document' })
  @IsString()
  @Matches(/^[a-z_]+(\.[a-z0-9_-]+)*$/, {
    message: 'requirement must be a requirement name such as organisation.certificate_of_incorporation',
  })
  @MaxLength(120)
  requirement: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  message: string;
}

export class DecisionDto {
  @ApiProperty({ enum: ['approve', 'reject', 'request_info'] })
  @IsIn(['approve', 'reject', 'request_info'])
  decision: 'approve' | 'reject' | 'request_info';

  @ApiProperty({ enum: REASON_CODE_KEYS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsIn(REASON_CODE_KEYS, { each: true })
  reasonCodes: ReasonCode[];

  @ApiProperty({ description: 'What the reviewer saw and why they decided so; kept in the audit log' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  note: string;

  @ApiPropertyOptional({
    description:
      'The claimVersion the claim returned; when given, the decision is recorded only if the claim is still that one',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  claimVersion?: number;

  @ApiPropertyOptional({
    type: [RequestedItemDto],
    description: 'Required for request_info: each becomes a requirement error for the developer',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RequestedItemDto)
  requestedItems?: RequestedItemDto[];
}

export class SuspendDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class TasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'claimed', 'done', 'cancelled'] })
  @IsOptional()
  @IsIn(['pending', 'claimed', 'done', 'cancelled'])
  status?: 'pending' | 'claimed' | 'done' | 'cancelled';

  @ApiPropertyOptional({ enum: ['kyb', 'app'] })
  @IsOptional()
  @IsIn(['kyb', 'app'])
  type?: 'kyb' | 'app';
}
