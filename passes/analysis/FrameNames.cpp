//===- FrameNames.cpp - What each frame slot holds, in source terms ------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Names the slots of an analysed frame after the source entities they hold,
/// and only from evidence in the split coroutine (docs/report.md, "Slot
/// names"):
///
///  - Variables: the debug records CoroSplit leaves in the ramp and the
///    clones place a variable at the frame pointer plus an offset
///    (`#dbg_declare`, the address of `#dbg_assign`, a `#dbg_value` that
///    loads from there), directly or through the alloca that keeps the frame
///    pointer for the debugger. A spilled value is also named by the
///    `#dbg_value`s of the value stored into its slot or loaded from it (or
///    of a value computed from it, or it from, by casts and arithmetic with
///    constants: CoroSplit rematerialises those instead of spilling them).
///    A variable of a callee inlined into the coroutine names a slot only
///    when nothing of the coroutine's own does, with the line of the call.
///  - Parameters: the same, for variables that are parameters, and a ramp
///    argument stored into a slot.
///  - Awaiters: the slot address passed to a `.__await_suspend_wrapper_`
///    call is its awaiter. Above -O0 LLVM may give one field several objects;
///    then only the scope tag on the call (recorded before CoroSplit) says
///    which object is the awaiter, and without one nothing is claimed.
///  - Elided frames: a callee's resume function stored into the slot, or
///    its `.noalloc` ramp given the slot.
///
/// A slot (or part of a split field) is named by the entities that span it;
/// smaller ones that LLVM put at its start (an empty awaiter in a buffer's
/// field) do not name it. Without evidence a slot is described by its type
/// and the line where it is first written, never by a guessed role.
//===----------------------------------------------------------------------===//

#include "CoroFrameAnalysis.h"
#include "ScopeMarkerFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DebugProgramInstruction.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace llvm;

namespace corofo {

StringRef slotOriginName(SlotOrigin O) {
  switch (O) {
  case SlotOrigin::Fixed:
    return "fixed";
  case SlotOrigin::Variable:
    return "variable";
  case SlotOrigin::Parameter:
    return "parameter";
  case SlotOrigin::Awaiter:
    return "awaiter";
  case SlotOrigin::ElidedFrame:
    return "elided-frame";
  case SlotOrigin::Temporary:
    return "temporary";
  case SlotOrigin::Value:
    return "value";
  case SlotOrigin::Unknown:
    return "unknown";
  }
  return "unknown";
}

namespace {

/// The outermost source location of \p Loc: inside code inlined into the
/// coroutine, the line of the coroutine's own statement.
static const DILocation *outermost(const DILocation *Loc) {
  while (Loc && Loc->getInlinedAt())
    Loc = Loc->getInlinedAt();
  return Loc;
}

/// Where \p I is in the coroutine's own code, if on a line.
static const DILocation *ownLine(const Instruction &I) {
  const DILocation *Loc = outermost(I.getDebugLoc().get());
  return Loc && Loc->getLine() ? Loc : nullptr;
}

static std::string fileLine(const DILocation *Loc) {
  if (!Loc || !Loc->getLine())
    return "";
  return (Loc->getFilename() + ":" + Twine(Loc->getLine())).str();
}

/// libstdc++'s inline namespaces left out of a type's name.
static std::string withoutInlineNamespaces(std::string Text) {
  for (StringRef Inline : {"::__n4861::", "::__cxx11::"})
    for (size_t Pos; (Pos = Text.find(Inline.str())) != std::string::npos;)
      Text.replace(Pos, Inline.size(), "::");
  return Text;
}

/// A C++-like spelling of an IR type: a class by its name without clang's
/// `struct.`/`class.` prefix, LLVM's `.N` suffix and libstdc++'s inline
/// namespaces; arrays as `T[N]`.
static std::string typeText(Type *Ty) {
  if (!Ty)
    return "";
  if (auto *AT = dyn_cast<ArrayType>(Ty)) {
    std::string Dims;
    while (AT) {
      Dims += "[" + std::to_string(AT->getNumElements()) + "]";
      Ty = AT->getElementType();
      AT = dyn_cast<ArrayType>(Ty);
    }
    return typeText(Ty) + Dims;
  }
  auto *ST = dyn_cast<StructType>(Ty);
  if (!ST || !ST->hasName()) {
    std::string Text;
    raw_string_ostream OS(Text);
    Ty->print(OS);
    return Text;
  }
  StringRef Name = ST->getName();
  for (StringRef Prefix : {"struct.", "class.", "union."})
    if (Name.consume_front(Prefix))
      break;
  // LLVM keeps struct names unique in a module with a `.N` suffix.
  StringRef Stem = Name.rtrim("0123456789");
  if (Stem.size() < Name.size() && Stem.ends_with("."))
    Name = Stem.drop_back();
  return withoutInlineNamespaces(Name.str());
}

/// The qualified name of a class or namespace in debug info.
static std::string scopeText(const DIScope *S) {
  std::string Text;
  for (; S && !isa<DIFile>(S) && !isa<DICompileUnit>(S); S = S->getScope()) {
    if (S->getName().empty())
      break;
    Text =
        Text.empty() ? S->getName().str() : (S->getName() + "::" + Text).str();
  }
  return Text;
}

/// Something evidence places in bytes [Begin, End) of the frame.
struct Entity {
  SlotOrigin Origin;
  std::string Text; ///< A variable's name, or a description.
  uint64_t Begin, End;
  /// Variables and parameters: 0 when the slot holds exactly its value, 1
  /// when one is computed from the other, 2 for a variable of an inlined
  /// callee, 3 for a parameter known by its type only. A slot is named by
  /// its best rank.
  unsigned Rank = 0;
  unsigned Line = 0;  ///< Declaration or co_await line (for ordering).
  std::string Source; ///< file:line
  /// Awaiters: what suspends ("co_await", "co_yield", "initial_suspend",
  /// "final_suspend") and the awaiter's type, for grouping, and the wrapper
  /// called (one per suspend point), to count them without lines.
  std::string Suspend, AwaiterType, Wrapper;
  /// The object a scope tag says it is (-1: none, e.g. a variable).
  int64_t Object = -1;
};

class SlotNamer {
public:
  SlotNamer(const SplitCoroutine &C, FrameLayout &L)
      : C(C), L(L), DL(C.Resume->getParent()->getDataLayout()) {}
  void run();

private:
  const SplitCoroutine &C;
  FrameLayout &L;
  const DataLayout &DL;
  std::vector<Entity> Entities;
  /// Calls of the coroutine's await_suspend wrappers, with their function,
  /// in program order: found by the walk for debug records.
  SmallVector<std::pair<CallBase *, Function *>, 8> WrapperCalls;

  int slotAt(uint64_t Offset) const { return L.slotAt(Offset); }
  uint64_t groupBegin(const FrameSlot &S) const {
    return L.Slots[S.GroupStart].Offset;
  }
  uint64_t groupEnd(const FrameSlot &S) const {
    return L.Slots[S.GroupStart + S.GroupSize - 1].end();
  }
  std::optional<uint64_t> frameOffset(Value *Ptr, Function *F) const;
  void collectFrameRecords();
  void addVariable(const DbgVariableRecord &DVR, uint64_t Offset, bool Derived);
  void collectSpilledValues();
  void nameValue(const FrameSlot &S, Value *V);
  void collectAwaiters();
  std::string awaiterType(const CallBase &CB, const FrameSlot &S,
                          uint64_t Size) const;
  void collectElidedFrames();
  std::string partSuffix(const FrameSlot &S) const;
  void nameSlot(FrameSlot &S);
  void describeSlot(FrameSlot &S);
};

/// The constant offset of \p Ptr from the frame pointer of \p F, if that is
/// what it is.
std::optional<uint64_t> SlotNamer::frameOffset(Value *Ptr, Function *F) const {
  APInt Off(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
  Value *B = Ptr->stripAndAccumulateConstantOffsets(DL, Off, true);
  for (auto &[Fn, Base] : L.FrameBases)
    if (Fn == F && B == Base && !Off.isNegative())
      return Off.getZExtValue();
  return std::nullopt;
}

/// The allocas of a function that keep its frame pointer \p Base for the
/// debugger (CoroSplit's `__coro_frame`, -O0's copies): records through
/// them start with DW_OP_deref.
static SmallPtrSet<Value *, 4> framePointerSlots(Value *Base) {
  SmallPtrSet<Value *, 4> Slots;
  for (User *U : Base->users())
    if (auto *SI = dyn_cast<StoreInst>(U); SI && SI->getValueOperand() == Base)
      if (auto *AI = dyn_cast<AllocaInst>(SI->getPointerOperand()))
        Slots.insert(AI);
  return Slots;
}

/// Where a debug record puts its variable in the frame.
struct FramePlace {
  uint64_t Offset;
  bool Derived; ///< The variable is computed from the bytes there.
};

/// Read \p DVR as "the variable is in the frame at Offset": a declare, or an
/// assign's address, at frame + Offset; a `#dbg_value` that loads from frame
/// + Offset (Derived when it computes further). A value that is an address
/// into the frame (a `this`, a reference) says nothing about what is there.
static std::optional<FramePlace>
framePlace(const DbgVariableRecord &DVR, Value *Base,
           const SmallPtrSetImpl<Value *> &PtrSlots, const DataLayout &DL) {
  Value *Loc = nullptr;
  DIExpression *Expr = nullptr;
  if (DVR.isDbgAssign()) {
    Loc = DVR.getAddress();
    Expr = DVR.getAddressExpression();
  } else if (DVR.getNumVariableLocationOps() == 1) {
    Loc = DVR.getVariableLocationOp(0);
    Expr = DVR.getExpression();
  }
  if (!Loc || !Loc->getType()->isPointerTy())
    return std::nullopt;
  APInt Off(DL.getIndexTypeSizeInBits(Loc->getType()), 0);
  Value *B = Loc->stripAndAccumulateConstantOffsets(DL, Off, true);
  bool ViaSlot = PtrSlots.contains(B);
  if ((B != Base && !ViaSlot) || Off.isNegative())
    return std::nullopt;
  SmallVector<uint64_t, 8> Ops;
  for (const DIExpression::ExprOperand &Op : Expr->expr_ops()) {
    if (Op.getOp() == dwarf::DW_OP_LLVM_fragment)
      break;
    Op.appendToVector(Ops);
  }
  size_t I = 0;
  if (ViaSlot) {
    if (!Off.isZero() || Ops.empty() || Ops[0] != dwarf::DW_OP_deref)
      return std::nullopt;
    I = 1;
  }
  uint64_t Offset = Off.getZExtValue();
  while (I < Ops.size()) {
    if (Ops[I] == dwarf::DW_OP_plus_uconst && I + 1 < Ops.size()) {
      Offset += Ops[I + 1];
      I += 2;
    } else if (Ops[I] == dwarf::DW_OP_constu && I + 2 < Ops.size() &&
               Ops[I + 2] == dwarf::DW_OP_plus) {
      Offset += Ops[I + 1];
      I += 3;
    } else {
      break;
    }
  }
  ArrayRef<uint64_t> Rest = ArrayRef(Ops).drop_front(I);
  if (!DVR.isDbgValue())
    return Rest.empty() ? std::optional(FramePlace{Offset, false})
                        : std::nullopt;
  // A dbg_value's expression computes the value: it must load from there.
  if (Rest.empty() ||
      (Rest[0] != dwarf::DW_OP_deref && Rest[0] != dwarf::DW_OP_deref_size))
    return std::nullopt;
  size_t Load = Rest[0] == dwarf::DW_OP_deref ? 1 : 2;
  bool More = Rest.size() > Load && !(Rest.size() == Load + 1 &&
                                      Rest[Load] == dwarf::DW_OP_stack_value);
  return FramePlace{Offset, More};
}

/// What clang puts between a coroutine's name and the kind of suspend in the
/// names of its await_suspend wrappers.
static constexpr StringLiteral WrapperInfix = ".__await_suspend_wrapper_";

/// Also notes the await_suspend wrapper calls for collectAwaiters: one walk
/// over the functions' instructions serves both.
void SlotNamer::collectFrameRecords() {
  std::string Prefix = (C.Name + WrapperInfix).str();
  for (auto &[F, Base] : L.FrameBases) {
    SmallPtrSet<Value *, 4> PtrSlots = framePointerSlots(Base);
    for (Instruction &I : instructions(*F)) {
      for (DbgVariableRecord &DVR : filterDbgVars(I.getDbgRecordRange()))
        if (std::optional<FramePlace> P = framePlace(DVR, Base, PtrSlots, DL))
          addVariable(DVR, P->Offset, P->Derived);
      auto *CB = dyn_cast<CallBase>(&I);
      Function *Callee = CB ? CB->getCalledFunction() : nullptr;
      if (Callee && CB->arg_size() >= 1 &&
          Callee->getName().starts_with(Prefix))
        WrapperCalls.push_back({CB, F});
    }
  }
}

/// Record that \p DVR's variable is at frame offset \p Offset (Derived: is
/// computed from the slot there).
void SlotNamer::addVariable(const DbgVariableRecord &DVR, uint64_t Offset,
                            bool Derived) {
  DILocalVariable *Var = DVR.getVariable();
  if (!Var || Var->getName().empty() || Var->getName() == "__coro_frame")
    return;
  int Id = slotAt(Offset);
  if (Id < 0)
    return;
  // A variable of a callee inlined into the coroutine names a value only
  // when nothing of the coroutine's own does, and by its function and the
  // line of the call; its `this` and other artificial ones never.
  const DILocation *Loc = DVR.getDebugLoc().get();
  bool Inlined = Loc && Loc->getInlinedAt();
  if (Inlined && (Derived || Var->isArtificial()))
    return;
  uint64_t Bytes = 0;
  if (auto Fragment = DVR.getExpression()->getFragmentInfo())
    Bytes = Fragment->SizeInBits / 8;
  else if (std::optional<uint64_t> Bits = Var->getSizeInBits())
    Bytes = *Bits / 8;
  Entity E;
  E.Origin = Var->isParameter() && !Inlined ? SlotOrigin::Parameter
                                            : SlotOrigin::Variable;
  E.Text = Var->getName().str();
  E.Begin = Offset;
  E.End = Bytes && !Derived ? Offset + Bytes : L.Slots[Id].end();
  E.Rank = Inlined ? 2 : Derived ? 1 : 0;
  E.Line = Var->getLine();
  if (Var->getLine())
    E.Source = (Var->getFilename() + ":" + Twine(Var->getLine())).str();
  if (Inlined) {
    const DILocation *Call = outermost(Loc);
    DISubprogram *SP = Var->getScope()->getSubprogram();
    // The function without its template arguments: which one, briefly.
    StringRef Fn = SP ? SP->getName().split('<').first : "";
    E.Text += " (" + (Fn.empty() ? "" : Fn.str() + ", ") + "inlined";
    if (Call->getLine())
      E.Text += " at line " + std::to_string(Call->getLine());
    E.Text += ")";
    E.Line = Call->getLine();
    E.Source = fileLine(Call);
  }
  Entities.push_back(std::move(E));
}

/// The one value \p V is computed from with constants only (a cast, a
/// negation, arithmetic or a pure intrinsic such as a rotate with constant
/// operands), if it is such a computation: CoroSplit rematerialises those
/// after a suspend, and optimisation spills them in a variable's stead.
static Value *singleSource(Value *V) {
  auto *I = dyn_cast<Instruction>(V);
  if (!I)
    return nullptr;
  if (isa<CastInst>(I) || isa<UnaryOperator>(I))
    return I->getOperand(0);
  auto *II = dyn_cast<IntrinsicInst>(I);
  if (!isa<BinaryOperator>(I) &&
      !(II && II->doesNotAccessMemory() && !II->isAssumeLikeIntrinsic()))
    return nullptr;
  Value *Source = nullptr;
  for (Value *Op : II ? II->args() : I->operands()) {
    if (isa<Constant>(Op) || Op == Source)
      continue;
    if (Source)
      return nullptr;
    Source = Op;
  }
  return Source;
}

/// How far to follow such computations from a spilled value.
static constexpr unsigned MaxSteps = 3;

/// The spilled values: what is stored into each spill slot and loaded
/// from it.
void SlotNamer::collectSpilledValues() {
  for (const FrameSlot &S : L.Slots) {
    if (S.Kind != SlotKind::Spill)
      continue;
    for (Instruction *I : S.Accesses) {
      if (auto *LI = dyn_cast<LoadInst>(I))
        nameValue(S, LI);
      else if (auto *SI = dyn_cast<StoreInst>(I))
        nameValue(S, SI->getValueOperand());
    }
  }
}

/// The variables that \p V (stored into slot \p S or loaded from it) is the
/// value of, or is computed from, or that are computed from it.
void SlotNamer::nameValue(const FrameSlot &S, Value *V) {
  auto add = [&](const DbgVariableRecord &DVR, bool Derived) {
    size_t Before = Entities.size();
    addVariable(DVR, S.Offset, Derived);
    if (Entities.size() > Before) {
      Entities.back().Begin = S.Offset;
      Entities.back().End = S.end();
    }
  };
  auto describe = [&](Value *X, bool Derived) {
    SmallVector<DbgVariableRecord *, 4> Records;
    findDbgValues(X, Records);
    for (DbgVariableRecord *DVR : Records) {
      // Exactly X (or a piece of the variable that is X).
      bool Exact = DVR->getNumVariableLocationOps() == 1 &&
                   DVR->getExpression()->getNumElements() ==
                       (DVR->getExpression()->isFragment() ? 3 : 0);
      add(*DVR, Derived || !Exact);
    }
    // A copy in an alloca the debugger reads (CoroSplit keeps parameters
    // visible that way): `store X, %a` with `#dbg_value(%a, DW_OP_deref)`.
    for (User *U : X->users()) {
      auto *SI = dyn_cast<StoreInst>(U);
      auto *AI = SI ? dyn_cast<AllocaInst>(SI->getPointerOperand()) : nullptr;
      if (!AI || SI->getValueOperand() != X)
        continue;
      for (DbgVariableRecord *DVR : findDVRValues(AI))
        if (DVR->getExpression()->startsWithDeref() &&
            DVR->getExpression()->getNumElements() == 1)
          add(*DVR, Derived);
      for (DbgVariableRecord *DVR : findDVRDeclares(AI))
        if (DVR->getExpression()->getNumElements() == 0)
          add(*DVR, Derived);
    }
  };
  describe(V, false);
  // Values computed from V, and the values V is computed from.
  SmallVector<std::pair<Value *, unsigned>, 8> Work;
  for (User *U : V->users())
    Work.push_back({U, 1});
  while (!Work.empty()) {
    auto [X, Steps] = Work.pop_back_val();
    if (singleSource(X) == nullptr)
      continue;
    describe(X, true);
    if (Steps < MaxSteps)
      for (User *U : X->users())
        Work.push_back({U, Steps + 1});
  }
  Value *From = V;
  for (unsigned Steps = 0; Steps < MaxSteps && (From = singleSource(From));
       ++Steps)
    describe(From, true);
  // Without debug info a ramp argument stored here is still a parameter.
  if (auto *Arg = dyn_cast<Argument>(V)) {
    Entity E;
    E.Origin = SlotOrigin::Parameter;
    E.Text = Arg->hasName() ? Arg->getName().str()
                            : "parameter (" + typeText(Arg->getType()) + ")";
    E.Begin = S.Offset;
    E.End = S.end();
    E.Rank = 3;
    Entities.push_back(std::move(E));
  }
}

/// Calls of this coroutine's await_suspend wrappers (clang names them
/// `<coroutine>.__await_suspend_wrapper__<kind>`): the slot given as the
/// awaiter is one, when nothing else may share its bytes (-O0: LLVM gives
/// every alloca its own field) or the call's scope tag says which object
/// the awaiter is.
void SlotNamer::collectAwaiters() {
  bool OwnFields = C.Resume->hasOptNone();
  for (auto [CB, F] : WrapperCalls) {
    Function *Callee = CB->getCalledFunction();
    std::optional<uint64_t> Off = frameOffset(CB->getArgOperand(0), F);
    int Id = Off ? slotAt(*Off) : -1;
    if (Id < 0 || L.Slots[Id].isFixed())
      continue;
    const FrameSlot &S = L.Slots[Id];
    std::optional<ScopeTag> Tag = scopeTagFor(*CB, 0);
    if (!Tag && !OwnFields)
      continue;
    Entity E;
    E.Origin = SlotOrigin::Awaiter;
    E.Begin = *Off;
    E.End = Tag ? *Off + Tag->Size : groupEnd(S);
    StringRef Kind = Callee->getName()
                         .drop_front(C.Name.size() + WrapperInfix.size())
                         .ltrim('_');
    E.Suspend = Kind.starts_with("init")    ? "initial_suspend"
                : Kind.starts_with("final") ? "final_suspend"
                : Kind.starts_with("yield") ? "co_yield"
                                            : "co_await";
    if (const DILocation *Loc = ownLine(*CB)) {
      E.Line = Loc->getLine();
      E.Source = fileLine(Loc);
    }
    E.AwaiterType = awaiterType(*CB, S, E.End - E.Begin);
    E.Wrapper = Callee->getName().str();
    E.Object = Tag ? int64_t(Tag->Id) : -1;
    Entities.push_back(std::move(E));
  }
}

/// The type of the awaiter \p CB is given (\p Size bytes at the start of
/// \p S): the field's own type when the awaiter is all the field holds, else
/// the class of the await_suspend the wrapper calls (or inlined); empty when
/// neither is known.
std::string SlotNamer::awaiterType(const CallBase &CB, const FrameSlot &S,
                                   uint64_t Size) const {
  if (S.GroupSize == 1 && S.Ty && Size == S.Size && S.Objects.size() <= 1)
    return typeText(S.Ty);
  Function *W = CB.getCalledFunction();
  if (!W || W->arg_empty())
    return "";
  // The wrapper's own call (or inlined call) only: an awaiter that wraps
  // another at offset 0 calls that one's await_suspend with the same address.
  auto Direct = [](const DILocation *Loc, unsigned Depth) {
    for (; Loc && Depth; --Depth)
      Loc = Loc->getInlinedAt();
    return Loc && !Loc->getInlinedAt();
  };
  for (Instruction &I : instructions(*W)) {
    auto *Call = dyn_cast<CallBase>(&I);
    Function *Fn = Call ? Call->getCalledFunction() : nullptr;
    if (Fn && Call->arg_size() && Call->getArgOperand(0) == W->getArg(0) &&
        Direct(Call->getDebugLoc().get(), 0)) {
      std::string Name = demangle(Fn->getName());
      size_t Pos = Name.find("::await_suspend");
      if (Pos != std::string::npos)
        return withoutInlineNamespaces(Name.substr(0, Pos));
    }
    for (DbgVariableRecord &DVR : filterDbgVars(I.getDbgRecordRange())) {
      DILocalVariable *Var = DVR.getVariable();
      auto *SP =
          dyn_cast_or_null<DISubprogram>(Var ? Var->getScope() : nullptr);
      // A member template's name carries its arguments: await_suspend<P>.
      StringRef Fn = SP ? SP->getName() : "";
      if (SP && Var->getName() == "this" && Fn.consume_front("await_suspend") &&
          (Fn.empty() || Fn.starts_with("<")) &&
          Direct(DVR.getDebugLoc().get(), 1) &&
          DVR.getNumVariableLocationOps() == 1 &&
          DVR.getVariableLocationOp(0) == W->getArg(0))
        return withoutInlineNamespaces(scopeText(SP->getScope()));
    }
  }
  return "";
}

/// The mangled name of the coroutine whose frame \p I initialises in place,
/// if \p I stores a split coroutine's resume function or calls its .noalloc
/// ramp (the clone's name without its suffix), with the address of that
/// frame; empty otherwise.
static std::pair<StringRef, Value *> elidedFrameOwner(Instruction &I) {
  Value *Fn = nullptr, *Frame = nullptr;
  StringRef Suffix;
  if (auto *SI = dyn_cast<StoreInst>(&I)) {
    Fn = SI->getValueOperand();
    Frame = SI->getPointerOperand();
    Suffix = ".resume";
  } else if (auto *CB = dyn_cast<CallBase>(&I); CB && CB->arg_size()) {
    Fn = CB->getCalledOperand();
    Frame = CB->getArgOperand(CB->arg_size() - 1);
    Suffix = ".noalloc";
  }
  auto *Clone =
      dyn_cast_or_null<Function>(Fn ? Fn->stripPointerCasts() : nullptr);
  if (!Clone || !Clone->getName().ends_with(Suffix))
    return {};
  return {Clone->getName().drop_back(Suffix.size()), Frame};
}

/// Frames of callee coroutines that CoroElide (or CoroAnnotationElide) put
/// into this one: code stores the callee's resume function at the frame's
/// start, or calls its .noalloc ramp with its address.
void SlotNamer::collectElidedFrames() {
  for (const FrameSlot &S : L.Slots)
    for (Instruction *I : S.Accesses) {
      auto [Callee, Frame] = elidedFrameOwner(*I);
      if (Callee.empty())
        continue;
      std::optional<uint64_t> Off = frameOffset(Frame, I->getFunction());
      if (!Off || slotAt(*Off) != int(S.Id))
        continue;
      unsigned OpNo = isa<StoreInst>(I) ? StoreInst::getPointerOperandIndex()
                                        : cast<CallBase>(I)->arg_size() - 1;
      std::optional<ScopeTag> Tag = scopeTagFor(*I, OpNo);
      Entity E;
      E.Origin = SlotOrigin::ElidedFrame;
      E.Text = "elided frame of '" + displayName(Callee) + "'";
      E.Begin = *Off;
      E.End = Tag ? *Off + Tag->Size : groupEnd(S);
      E.Object = Tag ? int64_t(Tag->Id) : -1;
      if (const DILocation *Loc = ownLine(*I)) {
        E.Line = Loc->getLine();
        E.Source = fileLine(Loc);
      }
      Entities.push_back(std::move(E));
    }
}

/// Whether \p I accesses the object that scope tags call \p Id.
static bool accessesObject(const Instruction &I, uint64_t Id) {
  for (unsigned OpNo = 0; OpNo < I.getNumOperands(); ++OpNo)
    if (std::optional<ScopeTag> Tag = scopeTagFor(I, OpNo);
        Tag && Tag->Id == Id)
      return true;
  return false;
}

/// The first line of the coroutine's own code at which one of \p S's
/// accesses that \p Pick accepts runs.
template <typename PredT>
static const DILocation *firstLocation(const FrameSlot &S, PredT Pick) {
  for (Instruction *I : S.Accesses)
    if (!isa<GetElementPtrInst>(I) && ownLine(*I) && Pick(*I))
      return ownLine(*I);
  return nullptr;
}

/// The header, the promise and the index are named by their ABI role.
static bool nameFixedSlot(FrameSlot &S) {
  switch (S.Kind) {
  case SlotKind::Header:
    S.Name = S.Offset == 0 ? "__resume_fn" : "__destroy_fn";
    break;
  case SlotKind::Promise:
    S.Name = "__promise";
    break;
  case SlotKind::Index:
    S.Name = "__index";
    break;
  default:
    return false;
  }
  S.Origin = SlotOrigin::Fixed;
  return true;
}

/// "awaiter of co_await at lines 12, 30 (T)" for the awaiters of one kind
/// and type at \p Points suspend points; at most a few lines, then how many
/// more; without lines "awaiter of 2 co_awaits (T)".
static std::string awaiterText(StringRef Suspend, StringRef Type,
                               const std::set<unsigned> &Lines, size_t Points) {
  std::string Text = ("awaiter of " + Suspend).str();
  if (Lines.empty() && Points > 1)
    Text = "awaiter of " + std::to_string(Points) + " " + Suspend.str() + "s";
  bool Implicit = Suspend.ends_with("_suspend");
  if (!Implicit && !Lines.empty()) {
    constexpr unsigned MaxLines = 6;
    Text += Lines.size() == 1 ? " at line " : " at lines ";
    unsigned N = 0;
    for (unsigned Line : Lines) {
      if (N == MaxLines) {
        Text += " and " + std::to_string(Lines.size() - N) + " more";
        break;
      }
      Text += (N++ ? ", " : "") + std::to_string(Line);
    }
  }
  if (!Type.empty())
    Text += (" (" + Type + ")").str();
  return Text;
}

/// The names of \p Named (sorted: variables, parameters, awaiters, elided
/// frames), each once, awaiters of one kind and type together.
static std::string joinEntities(ArrayRef<const Entity *> Named) {
  SmallVector<std::string, 4> Parts;
  std::map<std::pair<std::string, std::string>, std::set<unsigned>> Awaits;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> Points;
  SmallVector<std::pair<std::string, std::string>, 2> AwaitOrder;
  for (const Entity *E : Named) {
    if (E->Origin != SlotOrigin::Awaiter) {
      if (!is_contained(Parts, E->Text))
        Parts.push_back(E->Text);
      continue;
    }
    auto Key = std::make_pair(E->Suspend, E->AwaiterType);
    if (!Awaits.count(Key))
      AwaitOrder.push_back(Key);
    Points[Key].insert(E->Wrapper);
    if (E->Line)
      Awaits[Key].insert(E->Line);
    else
      Awaits[Key];
  }
  // Awaiters after the variables, elided frames last (as sorted).
  auto FirstElided = find_if(Parts, [](const std::string &T) {
    return StringRef(T).starts_with("elided frame of ");
  });
  size_t At = FirstElided - Parts.begin();
  for (auto &Key : AwaitOrder)
    Parts.insert(
        Parts.begin() + At++,
        awaiterText(Key.first, Key.second, Awaits[Key], Points[Key].size()));
  return join(Parts, " / ");
}

/// " (bytes 8-64)" for a part of a split field, else "".
std::string SlotNamer::partSuffix(const FrameSlot &S) const {
  if (S.GroupSize < 2)
    return "";
  uint64_t From = S.Offset - groupBegin(S);
  return " (bytes " + std::to_string(From) + "-" +
         std::to_string(From + S.Size) + ")";
}

/// Name \p S after the entities that span it; when neither an entity nor a
/// recorded object spans it, after those that reach its first byte.
void SlotNamer::nameSlot(FrameSlot &S) {
  if (nameFixedSlot(S))
    return;
  SmallVector<const Entity *, 8> Span, Start;
  for (const Entity &E : Entities)
    if (E.Begin <= S.Offset && S.Offset < E.End)
      (E.End >= S.end() ? Span : Start).push_back(&E);
  uint64_t Begin = groupBegin(S);
  bool ObjectSpans = any_of(
      S.Objects, [&](const auto &O) { return Begin + O.second >= S.end(); });
  SmallVector<const Entity *, 8> &Named =
      !Span.empty() || ObjectSpans ? Span : Start;
  // The best evidence about variables wins: the value itself over one
  // computed from it, a variable over an anonymous parameter.
  auto IsVariable = [](const Entity *E) {
    return E->Origin == SlotOrigin::Variable ||
           E->Origin == SlotOrigin::Parameter;
  };
  unsigned Best = ~0u;
  for (const Entity *E : Named)
    if (IsVariable(E))
      Best = std::min(Best, E->Rank);
  erase_if(Named,
           [&](const Entity *E) { return IsVariable(E) && E->Rank > Best; });
  if (Named.empty())
    return describeSlot(S);
  llvm::stable_sort(Named, [](const Entity *A, const Entity *B) {
    return std::tie(A->Origin, A->Line, A->Text) <
           std::tie(B->Origin, B->Line, B->Text);
  });
  S.Origin = Named.front()->Origin;
  for (const Entity *E : Named)
    if (S.Source.empty())
      S.Source = E->Source;
  S.Name = joinEntities(Named);
  // Recorded objects beside awaiters and elided frames that no entity is
  // (only when every entity says which object it is: variables do not).
  if (all_of(Named, [](const Entity *E) { return E->Object >= 0; }))
    for (auto [Id, Size] : S.Objects) {
      if (Begin + Size < S.end() || any_of(Named, [&](const Entity *E) {
            return E->Object == int64_t(Id);
          }))
        continue;
      const DILocation *Loc = firstLocation(
          S, [&](const Instruction &I) { return accessesObject(I, Id); });
      std::string Text =
          Loc ? "object at line " + std::to_string(Loc->getLine())
              : "unnamed object";
      if (!StringRef(S.Name).contains(Text))
        S.Name += " / " + Text;
    }
  S.Name += partSuffix(S);
}

/// Where spill slot \p S gets its value: the line of the stored value (or
/// of the store).
static const DILocation *spillLocation(const FrameSlot &S) {
  for (Instruction *I : S.Accesses) {
    auto *SI = dyn_cast<StoreInst>(I);
    if (!SI)
      continue;
    auto *Def = dyn_cast<Instruction>(SI->getValueOperand());
    for (Instruction *From : {Def, cast<Instruction>(SI)})
      if (From && ownLine(*From))
        return ownLine(*From);
  }
  return firstLocation(S, [](const Instruction &) { return true; });
}

/// Without evidence of what \p S holds: its type and the line where it is
/// first written (`spill of i64 at line 12`, `std::string at line 30`,
/// `object at line 8`), never a guessed role. In a field LLVM gave several
/// objects, each object that spans \p S by the line of its first access.
void SlotNamer::describeSlot(FrameSlot &S) {
  S.Origin = SlotOrigin::Unknown;
  if (S.Accesses.empty()) {
    S.Name = "unused" + partSuffix(S);
    return;
  }
  auto describe = [&](StringRef What, const DILocation *Loc) {
    if (!Loc)
      return (S.Kind == SlotKind::Spill ? What : "unnamed " + What).str();
    S.Origin =
        S.Kind == SlotKind::Spill ? SlotOrigin::Value : SlotOrigin::Temporary;
    if (S.Source.empty())
      S.Source = fileLine(Loc);
    return (What + " at line " + Twine(Loc->getLine())).str();
  };
  if (S.Kind == SlotKind::Spill) {
    S.Name = describe("spill of " + typeText(S.Ty), spillLocation(S)) +
             partSuffix(S);
    return;
  }
  uint64_t Begin = groupBegin(S);
  SmallVector<uint64_t, 2> Spanning;
  for (auto [Id, Size] : S.Objects)
    if (Begin + Size >= S.end())
      Spanning.push_back(Id);
  // One object (or an untagged field, which at -O0 is one alloca): the
  // field's type, unless it is a part or LLVM's pick among equal sizes.
  if (Spanning.size() <= 1) {
    bool OwnType =
        S.GroupSize == 1 && S.Ty && count_if(S.Objects, [&](const auto &O) {
                                      return O.second == S.Size;
                                    }) <= 1;
    const DILocation *Loc = firstLocation(S, [&](const Instruction &I) {
      return Spanning.empty() || accessesObject(I, Spanning.front());
    });
    S.Name = describe(OwnType ? typeText(S.Ty) : "object", Loc) + partSuffix(S);
    return;
  }
  // Objects first used on one line (or on none) are counted, not repeated.
  SmallVector<std::pair<std::string, unsigned>, 2> Parts;
  for (uint64_t Id : Spanning) {
    std::string Text = describe("object", firstLocation(S, [&](auto &I) {
                                  return accessesObject(I, Id);
                                }));
    auto It = find_if(Parts, [&](const auto &P) { return P.first == Text; });
    if (It == Parts.end())
      Parts.push_back({Text, 1});
    else
      ++It->second;
  }
  SmallVector<std::string, 2> Texts;
  for (auto &[Text, N] : Parts) {
    size_t At = Text.find("object");
    Texts.push_back(N == 1 ? Text
                           : std::to_string(N) + " " + Text.substr(0, At) +
                                 "objects" + Text.substr(At + 6));
  }
  S.Name = join(Texts, " / ") + partSuffix(S);
}

void SlotNamer::run() {
  collectFrameRecords();
  collectSpilledValues();
  collectAwaiters();
  collectElidedFrames();
  for (FrameSlot &S : L.Slots)
    nameSlot(S);
}

} // namespace

void nameFrameSlots(const SplitCoroutine &C, FrameLayout &L) {
  SlotNamer(C, L).run();
}

} // namespace corofo
