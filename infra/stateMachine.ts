/**
 * The deployed Stratus state machine: the ASL comes from src/runtime/stateMachine.ts (never a
 * copy) with the two Lambda ARNs as Task resources — the same definition the local runner runs.
 * Its role may invoke only those two functions, read the group lists under the job scratch
 * folder (the Distributed Map's ItemReader), and start and stop executions of itself only.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildDefinition } from '../src/runtime/stateMachine.js';

export interface StratusStateMachineProps {
  readonly driver: IFunction;
  readonly executor: IFunction;
  readonly bucket: IBucket;
  readonly prefix: string;
}

export class StratusStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StratusStateMachineProps) {
    super(scope, id);
    const { driver, executor } = props;
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeStratusFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: [driver.functionArn, executor.functionArn],
      }),
    );
    // The ItemReader reads the task-group list the driver wrote under the job's scratch folder.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadGroupLists',
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${props.prefix}jobs/*`)],
      }),
    );

    const definition = buildDefinition({
      driverResource: driver.functionArn,
      executorResource: executor.functionArn,
    });
    // The vended-logs name prefix keeps CloudWatch's account-wide log resource policy small.
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${id}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
      stateMachineType: StateMachineType.STANDARD,
      role: this.role,
      logs: { destination: logGroup, level: LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: false,
    });

    // Permissions on the machine's own ARN live in a separate policy: the machine does not
    // depend on it, so referencing the machine here makes no dependency cycle.
    const self = new iam.Policy(this, 'SelfExecutionPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ChainExecutions',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
    // The Distributed Map runs its items as child executions of this machine.
    const stack = Stack.of(this);
    const name = this.stateMachine.stateMachineName;
    const executions = (resourceName: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    self.addStatements(
      new iam.PolicyStatement({
        sid: 'ManageMapRunChildren',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executions(`${name}/*`), executions(`${name}:*`)],
      }),
    );
    this.role.attachInlinePolicy(self);
  }
}
