/**
 * Safe probing of a WebGPU adapter and creation of a device for tfjs.
 *
 * Deno's WebGPU differs from browsers in ways that crash tfjs-backend-webgpu 4.22's own
 * start-up (tfjs#8518, denoland/webgpu-examples#22, deno#22029): `adapter.info` must be read
 * before `requestDevice` (the adapter is consumed afterwards), tfjs pushes a nested array into
 * `requiredFeatures`, and some limits come back as BigInt. Everything here is defensive, so a
 * broken WebGPU stack yields a reason string instead of an exception.
 *
 * @module
 */

/** What a probe learned about the WebGPU adapter. */
export interface AdapterProbe {
  /** The adapter, when one was returned. */
  adapter: GPUAdapter | null;
  /** Human description (vendor/architecture/device/description), or "" when none. */
  description: string;
  /** True when the adapter is a software/fallback implementation (llvmpipe, SwiftShader, ...). */
  isSoftware: boolean;
  /** Why there is no usable adapter, when there is none. */
  reason?: string;
}

/** Adapter names that mean a CPU rasteriser pretending to be a GPU. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

/**
 * Decides whether adapter info describes a software (fallback) adapter.
 *
 * @param info The adapter's info (or any object with the same optional fields).
 * @param legacyFallbackFlag `adapter.isFallbackAdapter` from older WebGPU implementations.
 * @returns True for fallback/software adapters.
 *
 * @example Recognise llvmpipe
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSoftwareAdapter } from "./webgpu_adapter.ts";
 * assert.equal(isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }), true);
 * ```
 */
export function isSoftwareAdapter(
  info: Partial<Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">> & {
    isFallbackAdapter?: boolean;
  },
  legacyFallbackFlag?: boolean,
): boolean {
  if (info.isFallbackAdapter === true || legacyFallbackFlag === true) return true;
  const text = [info.vendor, info.architecture, info.device, info.description].join(" ");
  return SOFTWARE_ADAPTER.test(text);
}

/**
 * Asks `gpu` for an adapter and describes it, never throwing.
 *
 * @param gpu The WebGPU entry point (`navigator.gpu`), or undefined when absent.
 * @returns The adapter (if any), its description and whether it is software.
 *
 * @example Probe with no WebGPU at all
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeAdapter } from "./webgpu_adapter.ts";
 * const probe = await probeAdapter(undefined);
 * assert.equal(probe.reason, "navigator.gpu is not available");
 * ```
 */
export async function probeAdapter(gpu: GPU | undefined): Promise<AdapterProbe> {
  if (gpu === undefined || gpu === null) {
    return {
      adapter: null,
      description: "",
      isSoftware: false,
      reason: "navigator.gpu is not available",
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (err) {
    return {
      adapter: null,
      description: "",
      isSoftware: false,
      reason: `requestAdapter failed: ${errorText(err)}`,
    };
  }
  if (adapter === null) {
    return { adapter: null, description: "", isSoftware: false, reason: "no WebGPU adapter" };
  }
  // Read info now: after requestDevice the adapter may be consumed.
  let info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } = {};
  try {
    info = adapter.info ?? {};
  } catch {
    info = {};
  }
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const description = [info.description, info.vendor && `vendor ${info.vendor}`, info.architecture]
    .filter((s) => typeof s === "string" && s.length > 0).join(", ") || "unnamed adapter";
  return { adapter, description, isSoftware: isSoftwareAdapter(info, legacy) };
}

/**
 * Creates a device from `adapter` with the features and limits tfjs-backend-webgpu asks for,
 * but in a form Deno accepts (flat feature list, limits as plain numbers, never above the
 * adapter's own).
 *
 * @param adapter An adapter from {@linkcode probeAdapter}.
 * @returns The device and the adapter info tfjs's WebGPUBackend constructor expects.
 *
 * @example Create a device (needs a WebGPU adapter)
 * ```ts ignore
 * import { createDevice, probeAdapter } from "./webgpu_adapter.ts";
 * const { adapter } = await probeAdapter(navigator.gpu);
 * if (adapter) console.log((await createDevice(adapter)).device.label);
 * ```
 */
export async function createDevice(
  adapter: GPUAdapter,
): Promise<{ device: GPUDevice; info: GPUAdapterInfo }> {
  const info = adapter.info;
  const requiredFeatures: GPUFeatureName[] = [];
  for (const name of ["timestamp-query", "bgra8unorm-storage"] as const) {
    if (adapter.features.has(name)) requiredFeatures.push(name);
  }
  const wanted = [
    "maxComputeWorkgroupStorageSize",
    "maxComputeWorkgroupsPerDimension",
    "maxStorageBufferBindingSize",
    "maxBufferSize",
    "maxComputeWorkgroupSizeX",
    "maxComputeInvocationsPerWorkgroup",
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const key of wanted) {
    const value = Number((adapter.limits as unknown as Record<string, number | bigint>)[key]);
    if (Number.isFinite(value) && value > 0) requiredLimits[key] = value;
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  return { device, info };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
